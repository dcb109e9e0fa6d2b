import { describe, expect, it } from 'vitest';
import { StartedServices } from './started.ts';

describe('StartedServices', () => {
  it('stops, newest first, what it started, and leaves alone what was already running', async () => {
    const stopped: string[] = [];
    const services = new StartedServices();
    await services.use(Promise.resolve({ started: true }), async () => void stopped.push('redis'));
    await services.use(Promise.resolve({ started: false }), async () => void stopped.push('postgres'));
    await services.use(Promise.resolve({ started: true }), async () => {
      stopped.push('kafka');
      throw new Error('kafka would not stop');
    });
    await services.stopAll();
    expect(stopped).toEqual(['kafka', 'redis']);
    await services.stopAll();
    expect(stopped).toEqual(['kafka', 'redis']); // once
  });
});
