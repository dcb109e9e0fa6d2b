/**
 * Torque and drag by the soft-string model of Johancsik, Friesen & Dawson (1984), "Torque
 * and Drag in Directional Wells — Prediction and Measurement", SPE 11380 (JPT June 1984).
 *
 * The string is a cable lying on the low side or the high side of the hole: no bending
 * stiffness, contact along its length. It is cut into elements at the survey stations and
 * at the string's section boundaries and worked from the bit up; for each element
 *
 *   N   = sqrt( (F·Δφ·sin ᾱ)² + (F·Δα + W·sin ᾱ)² )        side force, lbf
 *   ΔF  = W·cos ᾱ ± μ·N                                    axial: + pulling out, − running in
 *   ΔF  = W·cos ᾱ,   ΔM = μ·N·r                            rotating: friction all goes to torque
 *
 * F is the axial tension at the element's lower end, W its buoyed weight (w·BF·Δs), ᾱ the
 * mean inclination, and Δα, Δφ the changes of inclination and azimuth in radians taken in
 * the direction of the calculation (from the lower station to the upper one), as Johancsik
 * does: in a build section Δα < 0 going up, so tension pulls the pipe off the low side and
 * F·Δα works against W·sin ᾱ. Buoyancy factor BF = 1 − ρ_mud / ρ_steel (ρ_steel 65.5 ppg).
 */

/** Steel, lb/gal: the density the buoyancy factor and steel displacement use (API RP 7G). */
export const steelDensityPpg = 65.5;
const gallonsPerBarrel = 42;
const rad = Math.PI / 180;

export interface SurveyStation {
  mdFt: number;
  inclinationDeg: number;
  azimuthDeg: number;
}

/** A part of the string, listed from the bit up. The last (top) one reaches the surface whatever its length. */
export interface StringSection {
  name: string;
  lengthFt?: number | undefined;
  /** Adjusted weight in air, tool joints included. */
  weightLbPerFt: number;
  odIn: number;
  idIn: number;
  /** Where the string touches the wall when it rotates; the body OD when absent. */
  toolJointOdIn?: number | undefined;
}

export interface StringModel {
  survey: readonly SurveyStation[];
  sections: readonly StringSection[];
  mudWeightPpg: number;
  /** Travelling block, top drive and hook: what the hook load sensor reads with no string. */
  blockWeightLbf: number;
}

export type TorqueDragMode = 'tripping-out' | 'tripping-in' | 'rotating';

export interface TorqueDragLoads {
  /** Pick-up hook load, lbf (block weight included). */
  trippingOutLbf: number;
  /** Slack-off hook load, lbf; below the block weight means the string would need pushing (buckling is outside this model). */
  trippingInLbf: number;
  /** Rotating off bottom, lbf. */
  rotatingLbf: number;
  /** Rotating off bottom, at surface, ft·lbf. */
  rotatingTorqueFtLbf: number;
}

export const buoyancyFactor = (mudWeightPpg: number): number => 1 - mudWeightPpg / steelDensityPpg;

/** Closed steel volume of a section per foot from its weight: what tripping it displaces, bbl/ft. */
export const steelDisplacementBblPerFt = (weightLbPerFt: number): number => weightLbPerFt / (steelDensityPpg * gallonsPerBarrel);

interface Element {
  lengthFt: number;
  /** Inclination and azimuth at the lower and upper ends, radians. */
  incLower: number;
  incUpper: number;
  aziLower: number;
  aziUpper: number;
  buoyedLbPerFt: number;
  contactRadiusFt: number;
}

/** Survey direction at a measured depth, linear between stations (the azimuth the short way round). */
export function directionAt(survey: readonly SurveyStation[], mdFt: number): { inc: number; azi: number } {
  const first = survey[0];
  if (!first) throw new RangeError('the survey has no stations');
  if (mdFt <= first.mdFt) return { inc: first.inclinationDeg * rad, azi: first.azimuthDeg * rad };
  for (let i = 1; i < survey.length; i++) {
    const a = survey[i - 1] as SurveyStation;
    const b = survey[i] as SurveyStation;
    if (mdFt > b.mdFt) continue;
    const t = (mdFt - a.mdFt) / (b.mdFt - a.mdFt);
    return {
      inc: (a.inclinationDeg + t * (b.inclinationDeg - a.inclinationDeg)) * rad,
      azi: a.azimuthDeg * rad + t * azimuthChange(a.azimuthDeg * rad, b.azimuthDeg * rad),
    };
  }
  const last = survey[survey.length - 1] as SurveyStation;
  throw new RangeError(`bit depth ${mdFt} ft is below the last survey station (${last.mdFt} ft): add the stations below it`);
}

/** b − a, wrapped into (−π, π]: a turn from 359° to 1° is 2°, not −358°. */
function azimuthChange(a: number, b: number): number {
  let d = b - a;
  while (d > Math.PI) d -= 2 * Math.PI;
  while (d <= -Math.PI) d += 2 * Math.PI;
  return d;
}

/**
 * The string cut into elements from the bit (first) up to the surface (last): at every
 * survey station and every section boundary between them.
 */
export function elementsOf(model: StringModel, bitDepthFt: number): Element[] {
  if (!(bitDepthFt > 0)) throw new RangeError(`bit depth must be above 0 ft (got ${bitDepthFt})`);
  const bf = buoyancyFactor(model.mudWeightPpg);
  // Section boundaries as measured depths, bit first.
  const sections: { top: number; section: StringSection }[] = [];
  let bottom = bitDepthFt;
  for (const [i, section] of model.sections.entries()) {
    const isTop = i === model.sections.length - 1;
    const top = isTop || section.lengthFt === undefined ? 0 : Math.max(0, bottom - section.lengthFt);
    sections.push({ top, section });
    bottom = top;
    if (top === 0) break;
  }
  const cuts = new Set<number>([0, bitDepthFt]);
  for (const { top } of sections) cuts.add(top);
  for (const station of model.survey) if (station.mdFt > 0 && station.mdFt < bitDepthFt) cuts.add(station.mdFt);
  const depths = [...cuts].sort((a, b) => b - a); // deepest first
  const elements: Element[] = [];
  for (let i = 1; i < depths.length; i++) {
    const lower = depths[i - 1] as number;
    const upper = depths[i] as number;
    const middle = (lower + upper) / 2;
    const section = (sections.find((s) => middle >= s.top) ?? sections[sections.length - 1])?.section;
    if (!section) throw new RangeError('the string has no sections');
    const l = directionAt(model.survey, lower);
    const u = directionAt(model.survey, upper);
    elements.push({
      lengthFt: lower - upper,
      incLower: l.inc,
      incUpper: u.inc,
      aziLower: l.azi,
      aziUpper: u.azi,
      buoyedLbPerFt: section.weightLbPerFt * bf,
      contactRadiusFt: (section.toolJointOdIn ?? section.odIn) / 2 / 12,
    });
  }
  return elements;
}

/** Axial load at surface (string only) and, when rotating, surface torque, for one mode and friction factor. */
export function runString(
  elements: readonly Element[],
  mode: TorqueDragMode,
  frictionFactor: number,
): { surfaceTensionLbf: number; torqueFtLbf: number } {
  let tension = 0; // off bottom: nothing on the bit
  let torque = 0;
  for (const e of elements) {
    const w = e.buoyedLbPerFt * e.lengthFt;
    const meanInc = (e.incLower + e.incUpper) / 2;
    const dInc = e.incUpper - e.incLower;
    const dAzi = azimuthChange(e.aziLower, e.aziUpper);
    const normal = Math.hypot(tension * dAzi * Math.sin(meanInc), tension * dInc + w * Math.sin(meanInc));
    const friction = frictionFactor * normal;
    if (mode === 'rotating') torque += friction * e.contactRadiusFt;
    tension += w * Math.cos(meanInc) + (mode === 'tripping-out' ? friction : mode === 'tripping-in' ? -friction : 0);
  }
  return { surfaceTensionLbf: tension, torqueFtLbf: torque };
}

/** Hook loads tripping out, in and rotating, and the rotating torque, at one bit depth and friction factor. */
export function torqueAndDrag(model: StringModel, bitDepthFt: number, frictionFactor: number): TorqueDragLoads {
  const elements = elementsOf(model, bitDepthFt);
  const rotating = runString(elements, 'rotating', frictionFactor);
  return {
    trippingOutLbf: runString(elements, 'tripping-out', frictionFactor).surfaceTensionLbf + model.blockWeightLbf,
    trippingInLbf: runString(elements, 'tripping-in', frictionFactor).surfaceTensionLbf + model.blockWeightLbf,
    rotatingLbf: rotating.surfaceTensionLbf + model.blockWeightLbf,
    rotatingTorqueFtLbf: rotating.torqueFtLbf,
  };
}

/** What a measurement in a mode is: a hook load (lbf, block included) or a surface torque (ft·lbf). */
export type Measured = { mode: 'tripping-out' | 'tripping-in'; hookLoadLbf: number } | { mode: 'rotating'; torqueFtLbf: number };

export const frictionSearchRange = { min: 0, max: 1 } as const;

/**
 * The friction factor at which the model meets a measurement, or why there is none.
 * Rotating off bottom the torque is linear in μ (the tension does not depend on it), so
 * μ = T / Σ(N·r) directly; pick-up and slack-off loads are monotonic in μ (pulling adds
 * friction, running in takes it away), so bisection over [0, 1] finds it.
 */
export function backCalculateFriction(
  model: StringModel,
  bitDepthFt: number,
  measured: Measured,
): { frictionFactor: number } | { reason: string } {
  const elements = elementsOf(model, bitDepthFt);
  if (measured.mode === 'rotating') {
    const perUnit = runString(elements, 'rotating', 1).torqueFtLbf;
    if (!(perUnit > 0)) return { reason: 'a vertical, straight string has no side force: torque says nothing about friction' };
    return within(measured.torqueFtLbf / perUnit, `off-bottom torque ${Math.round(measured.torqueFtLbf)} ft·lbf`);
  }
  const load = (mu: number) => runString(elements, measured.mode, mu).surfaceTensionLbf + model.blockWeightLbf;
  const target = measured.hookLoadLbf;
  const rising = measured.mode === 'tripping-out';
  let lo: number = frictionSearchRange.min;
  let hi: number = frictionSearchRange.max;
  const atLo = load(lo);
  const atHi = load(hi);
  const what = `${measured.mode} hook load ${Math.round(target)} lbf`;
  if (rising ? target < atLo : target > atLo)
    return {
      reason: `${what} is ${rising ? 'below' : 'above'} the frictionless ${Math.round(atLo)} lbf: check the string, mud weight or block weight`,
    };
  if (rising ? target > atHi : target < atHi) return { reason: `${what} needs a friction factor above ${frictionSearchRange.max}` };
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2;
    if (rising === load(mid) < target) lo = mid;
    else hi = mid;
  }
  return { frictionFactor: (lo + hi) / 2 };
}

function within(mu: number, what: string): { frictionFactor: number } | { reason: string } {
  if (mu > frictionSearchRange.max) return { reason: `${what} needs a friction factor above ${frictionSearchRange.max}` };
  return { frictionFactor: mu };
}
