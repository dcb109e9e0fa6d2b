/**
 * The daily production reports as CSV, one line per well and day, for a spreadsheet or the
 * ERP's import: RFC 4180 quoting, dot decimals whatever the browser's locale, empty cells for
 * what was not measured or not allocated.
 */

type Phase = 'oil' | 'gas' | 'water';

export interface ReportForCsv {
  fieldId: string;
  day: string;
  version: number;
  hours: number;
  timeZone: string;
  contractHour: string;
  wells: {
    wellId: string;
    hoursInStatus: Partial<Record<string, number>>;
    uptimeHours: number;
    measured: Partial<Record<Phase, { method: string; volume: number | null }>>;
    theoretical: Partial<Record<Phase, number>>;
    allocated: Partial<Record<Phase, number>>;
  }[];
}

export const csvColumns = [
  'day',
  'field',
  'version',
  'day_hours',
  'time_zone',
  'contract_hour',
  'well',
  'uptime_hours',
  'down_hours',
  'oil_measured_stb',
  'oil_method',
  'gas_measured_mscf',
  'gas_method',
  'water_measured_bbl',
  'water_method',
  'oil_theoretical_stb',
  'oil_allocated_stb',
  'gas_allocated_mscf',
  'water_allocated_bbl',
] as const;

/** A cell: quoted when it holds a separator, a quote or a line break; a formula-looking text is defused. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function productionCsv(reports: readonly ReportForCsv[]): string {
  const lines = [csvColumns.join(',')];
  for (const r of reports) {
    for (const w of r.wells) {
      lines.push(
        [
          r.day,
          r.fieldId,
          r.version,
          r.hours,
          r.timeZone,
          r.contractHour,
          w.wellId,
          w.uptimeHours,
          w.hoursInStatus.down ?? 0,
          w.measured.oil?.volume,
          w.measured.oil?.method,
          w.measured.gas?.volume,
          w.measured.gas?.method,
          w.measured.water?.volume,
          w.measured.water?.method,
          w.theoretical.oil,
          w.allocated.oil,
          w.allocated.gas,
          w.allocated.water,
        ]
          .map(csvCell)
          .join(','),
      );
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
