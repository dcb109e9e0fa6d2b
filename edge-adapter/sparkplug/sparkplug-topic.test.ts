import { describe, expect, it } from 'vitest';
import { parseSparkplugTopic, sparkplugTopic, stateTopic } from './sparkplug-topic.ts';

describe('Sparkplug topics', () => {
  it('parses node and device topics and formats them back', () => {
    expect(parseSparkplugTopic('spBv1.0/campo-norte/DDATA/skid/separator')).toEqual({
      groupId: 'campo-norte',
      type: 'DDATA',
      edgeNodeId: 'skid',
      deviceId: 'separator',
    });
    expect(parseSparkplugTopic('spBv1.0/campo-norte/NBIRTH/skid')).toMatchObject({ type: 'NBIRTH', deviceId: undefined });
    expect(sparkplugTopic('g', 'NCMD', 'n')).toBe('spBv1.0/g/NCMD/n');
    expect(sparkplugTopic('g', 'DCMD', 'n', 'd')).toBe('spBv1.0/g/DCMD/n/d');
    expect(stateTopic('flowline-pad-7')).toBe('spBv1.0/STATE/flowline-pad-7');
  });

  it.each([
    'spBv1.0/STATE/host',
    'spAv1.0/g/NDATA/n',
    'spBv1.0/g/NDATA/n/d', // node messages name no device
    'spBv1.0/g/DDATA/n', // device messages name one
    'spBv1.0/g/XDATA/n',
    'spBv1.0/g/DDATA/n/d/extra',
  ])('refuses %s', (topic) => {
    expect(parseSparkplugTopic(topic)).toBeUndefined();
  });
});
