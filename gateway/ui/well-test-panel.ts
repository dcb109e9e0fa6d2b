import { ApiError, api, may } from './api.ts';
import { h, replace, setText } from './dom.ts';
import { formatValue } from './format.ts';
import { emit, store, type WellTestView } from './store.ts';

/** Loads a well's latest test (GET /v1/wells/{wellId}/tests) into the store; `well-test:update` events keep it current. */
export async function loadWellTest(wellId: string): Promise<void> {
  const answer = await api<{ tests: WellTestView[] }>(`/v1/wells/${encodeURIComponent(wellId)}/tests?limit=1`);
  const latest = answer.tests[0] ?? null;
  const known = store.wellTests.get(wellId);
  // A live update that came while the request was out is at least as new as the answer: it is kept.
  if (!known || !latest || isNewer(latest, known)) store.wellTests.set(wellId, latest ?? known ?? null);
}

/** A `well-test:update` live event: the well's latest test as the well-test function just judged it. */
export function applyWellTestUpdate(data: Record<string, unknown>): void {
  const test = data as unknown as WellTestView;
  const known = store.wellTests.get(test.wellId);
  if (!known || isNewer(test, known)) store.wellTests.set(test.wellId, test);
}

function isNewer(a: WellTestView, b: WellTestView): boolean {
  if (a.testId !== b.testId) return a.createdAt >= b.createdAt;
  return (a.judgedAt ?? 0) >= (b.judgedAt ?? 0);
}

const quantityText: Record<keyof WellTestView['averages'], [string, string]> = {
  oilRate: ['oil', 'bbl/d'],
  waterRate: ['water', 'bbl/d'],
  gasRate: ['gas', 'Mscf/d'],
  bottomholePressure: ['BHP', 'psia'],
  wellheadPressure: ['WHP', 'psig'],
};

/** "Test running · 42 of 120 min", "Test completed · oil 499.84 bbl/d, BHP 1,199.8 psia", "No test yet". */
export function testSummary(test: WellTestView | null | undefined): string {
  if (test === undefined) return 'Test …';
  if (test === null) return 'No test yet';
  const minutes = `${Math.floor(test.elapsedMinutes)} of ${test.plannedMinutes} min`;
  if (test.state === 'running') return `Test running · ${minutes}`;
  if (test.state === 'inconclusive') return `Test inconclusive after ${Math.floor(test.elapsedMinutes)} min`;
  const averages = (Object.keys(quantityText) as (keyof WellTestView['averages'])[])
    .filter((q) => test.averages[q] !== undefined)
    .map((q) => `${quantityText[q][0]} ${formatValue(test.averages[q] as number)} ${quantityText[q][1]}`);
  return `Test completed · ${averages.join(', ')}`;
}

/**
 * A well's test on its card: the latest test's state and, while it runs (or why it ended
 * inconclusive), what it waits for; for operators a form to start one through the well's
 * separator or one of its own meters.
 */
export function wellTestPanel(wellId: string) {
  const summary = h('span', { class: 'well-test__summary', 'data-testid': 'well-test-state' }, 'Test …');
  const reasons = h('ul', { class: 'well-test__reasons', 'data-testid': 'well-test-reasons' });
  const message = h('p', { class: 'well-test__message', 'data-testid': 'well-test-message', role: 'status' });
  const form = may('well-tests.start') ? startForm(wellId, message) : undefined;
  const toggle = form
    ? h('button', { class: 'button button--quiet', type: 'button', 'data-testid': 'start-test', onclick: () => form.open() }, 'Start test')
    : undefined;
  const element = h(
    'div',
    { class: 'well-test', 'data-testid': 'well-test' },
    h('div', { class: 'well-test__line' }, summary, toggle),
    reasons,
    form?.element,
    message,
  );
  let drawn = '';
  const update = () => {
    const test = store.wellTests.get(wellId);
    setText(summary, testSummary(test));
    summary.dataset.state = test?.state ?? 'none';
    // "Started" is news until the test it announced has ended.
    if (test && test.state !== 'running' && message.dataset.testId === test.testId) {
      setText(message, '');
      delete message.dataset.testId;
    }
    const shown = test && test.state !== 'completed' ? test.waitingFor : [];
    const key = JSON.stringify(shown);
    if (key !== drawn) {
      drawn = key;
      replace(reasons, ...shown.map((r) => h('li', {}, r)));
    }
  };
  return { element, update };
}

interface DeviceView {
  id: string;
  description: string;
  wellId?: string;
  fieldId: string;
}

function startForm(wellId: string, message: HTMLElement) {
  const device = h('select', { name: 'deviceId', required: true, 'aria-label': 'Separator or meter' });
  const number = (name: string, label: string, value: string) =>
    h('label', {}, label, h('input', { name, type: 'number', required: true, min: 1, step: 'any', value }));
  const element = h(
    'form',
    { class: 'well-test__form', hidden: true, 'data-testid': 'start-test-form' },
    h('label', {}, 'Through', device),
    number('plannedMinutes', 'Planned min', '120'),
    number('reservoirPressurePsia', 'Reservoir psia', ''),
    number('bubblePointPressurePsia', 'Bubble point psia', ''),
    h('button', { type: 'submit', class: 'button' }, 'Start'),
  );
  const open = async () => {
    element.hidden = !element.hidden;
    if (element.hidden || device.options.length > 0) return;
    try {
      const { devices } = await api<{ devices: DeviceView[] }>('/v1/devices');
      const field = devices.find((d) => d.wellId === wellId)?.fieldId;
      // The field's shared equipment (a test separator) first, then the well's own meters.
      const choices = [...devices.filter((d) => !d.wellId && d.fieldId === field), ...devices.filter((d) => d.wellId === wellId)];
      replace(
        device,
        ...choices.map((d) =>
          h('option', { value: d.id, 'data-own': d.wellId === wellId }, d.description ? `${d.id} · ${d.description}` : d.id),
        ),
      );
    } catch (e) {
      setText(message, `Could not list the devices: ${(e as Error).message}`);
    }
  };
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(element);
    const body = {
      deviceId: String(data.get('deviceId')),
      // The field's shared equipment is a test separator; a meter of the well's own measures it in line.
      method: device.selectedOptions[0]?.hasAttribute('data-own') ? 'multiphase-meter' : 'test-separator',
      plannedMinutes: Number(data.get('plannedMinutes')),
      reservoirPressurePsia: Number(data.get('reservoirPressurePsia')),
      bubblePointPressurePsia: Number(data.get('bubblePointPressurePsia')),
    };
    setText(message, 'Starting…');
    api<{ testId: string }>(`/v1/wells/${encodeURIComponent(wellId)}/tests`, { method: 'POST', body })
      .then(({ testId }) => {
        element.hidden = true;
        setText(message, `Test ${testId.slice(0, 8)} started: its state shows here as its readings arrive.`);
        message.dataset.testId = testId;
        emit('wellTests');
      })
      .catch((e: unknown) => setText(message, e instanceof ApiError ? `Not started: ${e.message}` : `Not started: ${String(e)}`));
  });
  return { element, open: () => void open() };
}
