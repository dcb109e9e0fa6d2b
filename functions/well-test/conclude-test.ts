import { WellTestCompleted } from '#contracts';
import type { Judgement } from './stabilisation.ts';
import type { RunningTest, TestJudgement } from './test-store.ts';

/**
 * What a judgement makes of a running test. Steady: completed, with its stabilised averages
 * as the well-testing.test-completed event calc turns into an IPR — unless those averages
 * cannot define one (no bottom-hole pressure measured, a flowing pressure above the
 * reservoir's), which ends it inconclusive with that reason. Not steady once its maximum
 * minutes have run (by reading time, or by the clock when `overdue`): inconclusive, with
 * what it was still waiting for. Otherwise it keeps running.
 */
export function concludeTest(test: RunningTest, judgement: Judgement, readings: number, now: number, overdue = false): TestJudgement {
  const base = {
    testId: test.testId,
    elapsedMinutes: Math.round(judgement.elapsedMinutes * 10) / 10,
    readings,
    averages: judgement.averages,
    judgedAt: now,
  };
  const endedAt = judgement.at ?? now;
  if (judgement.steady) {
    const completion = completionOf(test, judgement, endedAt);
    if ('completion' in completion) return { ...base, state: 'completed', waitingFor: [], endedAt, completion: completion.completion };
    return { ...base, state: 'inconclusive', waitingFor: [completion.reason], endedAt };
  }
  if (overdue || judgement.elapsedMinutes >= test.maxMinutes)
    return {
      ...base,
      state: 'inconclusive',
      waitingFor: [`not steady within its ${test.maxMinutes} minutes`, ...judgement.waitingFor],
      endedAt: overdue ? now : endedAt,
    };
  return { ...base, state: 'running', waitingFor: judgement.waitingFor };
}

function completionOf(test: RunningTest, j: Judgement, endedAt: number): { completion: WellTestCompleted } | { reason: string } {
  const { oilRate, gasRate, waterRate, bottomholePressure, wellheadPressure } = j.averages;
  if (bottomholePressure === undefined)
    return {
      reason:
        'steady, but no bottom-hole pressure was measured (only the wellhead’s): an IPR needs the flowing bottom-hole pressure; name the gauge’s tag as bottomholePressure in well-test-rules',
    };
  const r2 = (n: number) => Math.round(n * 100) / 100;
  const event = WellTestCompleted.safeParse({
    testId: test.testId,
    wellId: test.wellId,
    tenantId: test.tenantId,
    ...(test.fieldId ? { fieldId: test.fieldId } : {}),
    timestamp: endedAt,
    startedAt: test.createdAt,
    stabilizationHours: r2((endedAt - test.createdAt) / 3_600_000) || 0.01,
    method: test.method,
    oilRateStbd: r2(oilRate ?? 0),
    ...(waterRate !== undefined ? { waterRateBbld: r2(waterRate) } : {}),
    ...(gasRate !== undefined ? { gasRateMscfd: r2(gasRate) } : {}),
    ...(gasRate !== undefined && oilRate ? { gasOilRatioScfPerStb: r2((gasRate * 1000) / oilRate) } : {}),
    flowingBottomholePressurePsia: r2(bottomholePressure),
    reservoirPressurePsia: test.reservoirPressurePsia,
    bubblePointPressurePsia: test.bubblePointPressurePsia,
    ...(wellheadPressure !== undefined ? { wellheadPressurePsig: r2(wellheadPressure) } : {}),
    testedBy: test.createdBy,
    ...(test.notes ? { notes: test.notes } : {}),
  });
  if (event.success) return { completion: event.data };
  return { reason: `steady, but its averages define no IPR: ${event.error.issues.map((i) => i.message).join('; ')}` };
}
