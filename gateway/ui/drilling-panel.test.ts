import { describe, expect, it } from 'vitest';
import { drillingLines } from './drilling-panel.ts';

describe('drillingLines', () => {
  const wellControl = {
    timestamp: 1,
    activity: 'tripping-out',
    kick: false,
    losses: false,
    reasons: [],
    windowSeconds: 300,
    unexplainedPitGainBbl: 2.4,
    toleratedGainBbl: 10,
    toleratedLossBbl: 18,
    flowDeltaGpm: -3,
  };
  const torqueDrag = {
    timestamp: 1,
    activity: 'tripping-out',
    bitDepthFt: 8000.4,
    frictionFactor: 0.25,
    hookLoadTrippingOutKlbf: 240.12,
    hookLoadTrippingInKlbf: 190.4,
    hookLoadRotatingKlbf: 212.3,
    torqueRotatingKftLbf: 11.84,
    measured: { mode: 'tripping-out', hookLoadKlbf: 250.1, backCalculatedFrictionFactor: 0.312 },
    frictionTrendPerThousandFt: 0.015,
  };

  it('says the well is in balance, with both indicators, the model and the friction factor the pick-up implies', () => {
    expect(drillingLines({ wellControl, torqueDrag })).toEqual({
      verdict: 'in-balance',
      headline: 'In balance · Tripping out',
      lines: [
        'Pits +2.4 bbl unexplained over 300 s (kick at +10, losses at −18)',
        'Flow out −3 gpm against the expected',
        'Bit 8,000 ft, μ 0.25: pick-up 240.1, rotating 212.3, slack-off 190.4 klbf; torque 11.8 kft·lbf',
        'Measured tripping out 250.1 klbf → μ 0.312 (trend +0.015 per 1,000 ft)',
      ],
    });
  });

  it('puts a kick first, with the reasons the watch gave', () => {
    const kick = {
      ...wellControl,
      activity: 'drilling',
      kick: true,
      reasons: ['flow out 100 gpm above the expected 600 gpm for 30 s or more'],
      flowDeltaGpm: undefined,
    };
    const { verdict, headline, lines } = drillingLines({ wellControl: kick, torqueDrag: undefined });
    expect([verdict, headline]).toEqual(['kick', 'KICK · Drilling']);
    expect(lines.slice(1)).toEqual(['Flow out: settling or not measured', 'flow out 100 gpm above the expected 600 gpm for 30 s or more']);
  });

  it('waits for the rig before it has any result', () => {
    expect(drillingLines({ wellControl: undefined, torqueDrag: undefined })).toEqual({
      verdict: 'unknown',
      headline: 'Well control: waiting for the rig',
      lines: [],
    });
  });
});
