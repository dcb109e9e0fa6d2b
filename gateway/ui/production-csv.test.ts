import { describe, expect, it } from 'vitest';
import { csvCell, productionCsv } from './production-csv.ts';

describe('production CSV', () => {
  it('writes a line per well and day, dot decimals, empty cells for what was not measured', () => {
    const csv = productionCsv([
      {
        fieldId: 'campo-norte',
        day: '2026-03-07',
        version: 2,
        hours: 23,
        timeZone: 'America/New_York',
        contractHour: '06:00',
        wells: [
          {
            wellId: 'norte-01',
            hoursInStatus: { producing: 21, down: 2 },
            uptimeHours: 21,
            measured: { oil: { method: 'totalizer', volume: 1937.7 }, gas: { method: 'none', volume: null } },
            theoretical: { oil: 1500 },
            allocated: { oil: 1363.636 },
          },
        ],
      },
    ]);
    const [header, line, end] = csv.split('\r\n');
    expect(header?.split(',')).toHaveLength(19);
    expect(line).toBe('2026-03-07,campo-norte,2,23,America/New_York,06:00,norte-01,21,2,1937.7,totalizer,,none,,,1500,1363.636,,');
    expect(end).toBe('');
  });

  it('quotes separators and quotes, and defuses a cell a spreadsheet would run as a formula', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell(Number.NaN)).toBe('');
  });
});
