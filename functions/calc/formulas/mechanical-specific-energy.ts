/**
 * Mechanical specific energy (Teale, "The Concept of Specific Energy in Rock
 * Drilling", Int. J. Rock Mech. Min. Sci. 2(1), 1965): the work done on the rock per
 * volume drilled, an axial term (weight on bit over bit area) plus a rotary term
 * (torque times angular speed over the rate the hole grows). In oilfield units:
 *
 *   MSE [psi] = WOB / A_b + 120 π N T / (A_b · ROP)
 *
 * WOB in lbf, A_b in in², N in rpm, T in ft·lbf, ROP in ft/h (120π = 2π rad/rev ·
 * 60 min/h: rotary work per hour over the volume drilled per hour). Fed surface torque,
 * it includes the drill string's friction and over-states the energy spent at the
 * bit: compare trends, not absolute values against rock strength.
 */
export interface MseInputs {
  weightOnBitLbf: number;
  rotarySpeedRpm: number;
  torqueFtLbf: number;
  rateOfPenetrationFtPerHour: number;
  bitDiameterIn: number;
}

export interface MechanicalSpecificEnergy {
  mechanicalSpecificEnergyPsi: number;
  axialPsi: number;
  rotaryPsi: number;
  bitAreaIn2: number;
}

export function mechanicalSpecificEnergy(input: MseInputs): MechanicalSpecificEnergy {
  if (!(input.bitDiameterIn > 0)) throw new RangeError(`bit diameter must be above 0 in, got ${input.bitDiameterIn}`);
  if (!(input.rateOfPenetrationFtPerHour > 0)) {
    throw new RangeError(
      `MSE needs the bit to be drilling (rate of penetration above 0 ft/h, got ${input.rateOfPenetrationFtPerHour}): off bottom it is undefined`,
    );
  }
  for (const [name, value] of [
    ['weight on bit', input.weightOnBitLbf],
    ['rotary speed', input.rotarySpeedRpm],
    ['torque', input.torqueFtLbf],
  ] as const) {
    if (!(value >= 0)) throw new RangeError(`${name} cannot be negative, got ${value}`);
  }
  const bitAreaIn2 = (Math.PI * input.bitDiameterIn * input.bitDiameterIn) / 4;
  const axialPsi = input.weightOnBitLbf / bitAreaIn2;
  const rotaryPsi = (120 * Math.PI * input.rotarySpeedRpm * input.torqueFtLbf) / (bitAreaIn2 * input.rateOfPenetrationFtPerHour);
  return { mechanicalSpecificEnergyPsi: axialPsi + rotaryPsi, axialPsi, rotaryPsi, bitAreaIn2 };
}
