import { describe, expect, it } from 'vitest';
import { type StatusProfile, WellStatusRules } from '../../config/well-status-rules.ts';
import { loadYamlConfig } from '../../runtime/yaml-config.ts';
import { type Change, emptyTracking, observe, type Tracking } from './status-machine.ts';

// The shipped ESP profile's shape, with round numbers: trips confirmed after 30 s, the rest after 120 s.
const profile: StatusProfile = loadYamlConfig(
  `profiles:
  - id: esp
    kinds: [oil]
    holdSeconds: { default: 120, down: 30 }
    rules:
      - { status: testing, when: { tagId: well_test_active, above: 0.5 } }
      - { status: down, reason: ssv-closed, when: { tagId: ssv_open, below: 0.5 } }
      - { status: down, reason: esp-trip, when: { tagId: esp_tripped, above: 0.5 } }
      - { status: shut-in, when: { tagId: esp_running, below: 0.5 } }
      - { status: producing, when: { tagId: oil_rate, above: 20, deadband: 5 } }
    otherwise: { status: down, reason: no-flow }
`,
  'well-status-rules.yaml',
  WellStatusRules,
).profiles[0] as StatusProfile;

const s = (seconds: number) => seconds * 1000;

/** Feeds [seconds, tag, value] samples in order; returns the changes as "status[/reason] since→confirmedAt" (seconds). */
function run(
  samples: [number, string, number][],
  start: Tracking = emptyTracking(),
  rules: StatusProfile = profile,
): { changes: string[]; tracking: Tracking; raw: Change[] } {
  let tracking = start;
  const raw: Change[] = [];
  for (const [at, tagId, value] of samples) {
    const seen = observe(rules, tracking, { timestamp: s(at), values: [{ tagId, value }] });
    tracking = seen.tracking;
    if ('change' in seen && seen.change) raw.push(seen.change);
  }
  const changes = raw.map((c) => `${c.status}${c.reason ? `/${c.reason}` : ''} ${c.since / 1000}→${c.confirmedAt / 1000}`);
  return { changes, tracking, raw };
}

/** An ESP well producing since 0 s, confirmed at 120 s. */
const producing = (): Tracking =>
  run([
    [0, 'ssv_open', 1],
    [0, 'esp_tripped', 0],
    [0, 'esp_running', 1],
    [0, 'oil_rate', 450],
    [120, 'oil_rate', 450],
  ]).tracking;

describe('well status rules', () => {
  it('gives a well its first status once the verdict has stood for the hold, not on the first tag of a poll', () => {
    const first = run([
      [0, 'ssv_open', 1], // alone, with no rate known yet, this would say down/no-flow
      [0, 'esp_tripped', 0],
      [0, 'esp_running', 1],
      [0, 'oil_rate', 450],
      [60, 'oil_rate', 455],
      [120, 'oil_rate', 450],
      [180, 'oil_rate', 450],
    ]);
    expect(first.changes).toEqual(['producing 0→120']);
    expect(first.raw[0]?.previous).toBeUndefined();
  });

  it('judges the tags of one poll together: the first of them cannot confirm on the others’ old values', () => {
    const tripped = run(
      [
        [1000, 'esp_tripped', 1],
        [1020, 'esp_tripped', 1],
      ],
      producing(),
    ).tracking;
    // 40 s after the trip bit rose, the next poll says it fell: the trip lasted no more than that poll shows.
    const poll = observe(profile, tripped, {
      timestamp: s(1040),
      values: [
        { tagId: 'ssv_open', value: 1 },
        { tagId: 'esp_tripped', value: 0 },
        { tagId: 'oil_rate', value: 450 },
      ],
    });
    expect('change' in poll && poll.change).toBeFalsy();
    expect(poll.tracking.current?.status).toBe('producing');
    // Fed one tag at a time, the first (ssv_open) would have confirmed the trip on esp_tripped's old value.
    expect(run([[1040, 'ssv_open', 1]], tripped).changes).toEqual(['down/esp-trip 1000→1040']);
  });

  it('ignores a flicker shorter than the hold', () => {
    const { changes, tracking } = run(
      [
        [1000, 'esp_tripped', 1], // a 20 s trip indication, shorter than the 30 s hold for down
        [1010, 'esp_tripped', 1],
        [1020, 'esp_tripped', 0],
        [1100, 'oil_rate', 440],
        [1300, 'esp_tripped', 0],
      ],
      producing(),
    );
    expect(changes).toEqual([]);
    expect(tracking.current?.status).toBe('producing');
    expect(tracking.pending).toBeUndefined();
  });

  it('confirms a sustained trip once, as down with its reason, counted from when the well left producing', () => {
    const { changes, raw } = run(
      [
        [1000, 'esp_running', 0], // the drive stops first: shut in, as far as anyone knows yet
        [1001, 'esp_tripped', 1], // then the trip bit: down/esp-trip, which has the shorter hold
        [1020, 'oil_rate', 30],
        [1031, 'oil_rate', 3], // 30 s after the trip verdict began
        [1040, 'oil_rate', 0],
        [1400, 'oil_rate', 0],
      ],
      producing(),
    );
    expect(changes).toEqual(['down/esp-trip 1000→1031']);
    expect(raw[0]).toMatchObject({
      previous: { status: 'producing' },
      values: { ssv_open: 1, esp_tripped: 1, esp_running: 0, oil_rate: 3 },
    });
  });

  it('tells the reasons apart: SSV closed before an ESP trip, and no flow when nothing else explains it', () => {
    const ssv = run(
      [
        [1000, 'ssv_open', 0],
        [1000, 'esp_tripped', 1],
        [1040, 'oil_rate', 0],
      ],
      producing(),
    );
    expect(ssv.changes).toEqual(['down/ssv-closed 1000→1040']);
    const noFlow = run(
      [
        [1000, 'oil_rate', 2],
        [1100, 'oil_rate', 1],
      ],
      producing(),
    );
    expect(noFlow.changes).toEqual(['down/no-flow 1000→1100']);
  });

  it('shut in, testing: an operator stopping the drive, a test flag', () => {
    expect(
      run(
        [
          [1000, 'esp_running', 0],
          [1150, 'oil_rate', 0],
        ],
        producing(),
      ).changes,
    ).toEqual(['shut-in 1000→1150']);
    expect(
      run(
        [
          [1000, 'well_test_active', 1],
          [1120, 'oil_rate', 400],
        ],
        producing(),
      ).changes,
    ).toEqual(['testing 1000→1120']);
  });

  it('keeps a rate hovering at its threshold on the side it came from (deadband)', () => {
    const { changes } = run(
      [
        [1000, 'oil_rate', 18], // under 20 but within the 5 bbl/d deadband: still flowing
        [1200, 'oil_rate', 16],
        [1300, 'oil_rate', 21],
        [1400, 'oil_rate', 17],
      ],
      producing(),
    );
    expect(changes).toEqual([]);
    const stopped = run(
      [
        [1000, 'oil_rate', 14],
        [1200, 'oil_rate', 18],
        [1400, 'oil_rate', 19],
      ],
      producing(),
    );
    // Below 15 it let go; coming back it must pass 20 again, not 15.
    expect(stopped.changes).toEqual(['down/no-flow 1000→1200']);
  });

  it('does not flip back on late or redelivered samples', () => {
    const down = run(
      [
        [1000, 'oil_rate', 0],
        [1200, 'oil_rate', 0],
      ],
      producing(),
    );
    expect(down.changes).toEqual(['down/no-flow 1000→1200']);
    // The same samples again (a redelivery) and older ones (a late RTU buffer) change nothing.
    const replayed = run(
      [
        [1000, 'oil_rate', 0],
        [500, 'oil_rate', 450],
        [1200, 'oil_rate', 0],
        [1199, 'oil_rate', 460],
      ],
      down.tracking,
    );
    expect(replayed.changes).toEqual([]);
    expect(replayed.tracking).toEqual(down.tracking);
    // A late sample of another tag is news about that tag, judged at the well's clock: it
    // starts a verdict there, and only samples after it can confirm one.
    const late = run([[1100, 'ssv_open', 0]], down.tracking);
    expect(late.changes).toEqual([]);
    expect(late.tracking.clock).toBe(s(1200));
    expect(late.tracking.pending).toMatchObject({ status: 'down', reason: 'ssv-closed', since: s(1200) });
  });

  it('keeps the status while a polled deciding tag is stale, instead of judging on old data', () => {
    const polled = { ...profile, staleAfterSeconds: 600 };
    const start = run(
      [
        [0, 'esp_running', 1],
        [0, 'oil_rate', 450],
        [120, 'oil_rate', 450],
      ],
      emptyTracking(),
      polled,
    );
    expect(start.changes).toEqual(['producing 0→120']);
    const { changes, tracking } = run(
      [
        [1000, 'oil_rate', 0], // esp_running last reported at 0 s: past the 600 s limit
        [1300, 'oil_rate', 0],
      ],
      start.tracking,
      polled,
    );
    expect(changes).toEqual([]);
    expect(tracking.current?.status).toBe('producing');
    // A tag the rules no longer name (a profile edited since) is not waited for.
    const edited = {
      ...start.tracking,
      tags: { ...start.tracking.tags, esp_running: { value: 1, timestamp: s(1290) }, choke: { value: 50, timestamp: 0 } },
    };
    expect(
      run(
        [
          [1300, 'oil_rate', 0],
          [1500, 'oil_rate', 0],
        ],
        edited,
        polled,
      ).changes,
    ).toEqual(['down/no-flow 1300→1500']);
    // Once it reports again, the well is judged: its departure counts from then.
    expect(
      run(
        [
          [1400, 'esp_running', 1],
          [1600, 'oil_rate', 0],
        ],
        tracking,
        polled,
      ).changes,
    ).toEqual(['down/no-flow 1400→1600']);
  });
});
