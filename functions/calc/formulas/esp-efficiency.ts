import { espHydraulicHorsepower } from './esp-hydraulic-power.ts';

const KW_PER_HP = 0.7457;

/** What the nameplate says about an ESP motor; the drive keeps volts per hertz constant. */
export interface EspMotorRating {
  ratedVoltageV: number;
  ratedFrequencyHz: number;
  powerFactor: number;
  efficiencyFraction: number;
}

export interface EspEfficiency {
  hydraulicHorsepowerHp: number;
  /** Three-phase electrical power into the motor: √3 · V · I · PF. */
  motorInputHp: number;
  /** Shaft power the motor hands the pump (input × motor efficiency): the pump's brake horsepower. */
  pumpBrakeHorsepowerHp: number;
  /** Hydraulic over brake horsepower. */
  pumpEfficiencyFraction: number;
  /** Hydraulic over electrical input: motor and pump together. */
  systemEfficiencyFraction: number;
  motorVoltageV: number;
}

/**
 * ESP efficiency from what a well reports: liquid rate, intake and discharge pressure
 * (→ hydraulic horsepower), motor current and drive frequency (→ electrical power).
 * There is no power meter downhole, so input power is √3 · V · I · PF with the
 * voltage scaled by frequency (a constant V/Hz drive) and the nameplate power factor
 * and motor efficiency. Neglects: cable losses, the change of power factor and
 * motor efficiency with load, gas in the pump (the rate is at surface conditions).
 */
export function espEfficiency(input: {
  liquidRateBbld: number;
  intakePressurePsi: number;
  dischargePressurePsi: number;
  motorCurrentA: number;
  frequencyHz: number;
  motor: EspMotorRating;
}): EspEfficiency {
  const { motor } = input;
  if (!(input.motorCurrentA > 0 && input.frequencyHz > 0)) {
    throw new RangeError(
      `the motor must be running (current ${input.motorCurrentA} A, frequency ${input.frequencyHz} Hz): efficiency of a stopped pump is undefined`,
    );
  }
  const hydraulicHorsepowerHp = espHydraulicHorsepower(input.liquidRateBbld, input.dischargePressurePsi - input.intakePressurePsi);
  const motorVoltageV = (motor.ratedVoltageV * input.frequencyHz) / motor.ratedFrequencyHz;
  const motorInputHp = (Math.sqrt(3) * motorVoltageV * input.motorCurrentA * motor.powerFactor) / 1000 / KW_PER_HP;
  const pumpBrakeHorsepowerHp = motorInputHp * motor.efficiencyFraction;
  return {
    hydraulicHorsepowerHp,
    motorInputHp,
    pumpBrakeHorsepowerHp,
    pumpEfficiencyFraction: hydraulicHorsepowerHp / pumpBrakeHorsepowerHp,
    systemEfficiencyFraction: hydraulicHorsepowerHp / motorInputHp,
    motorVoltageV,
  };
}
