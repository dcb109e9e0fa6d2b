/** Results carry the precision their inputs justify, not float noise: `round(29.7771, 3)` → 29.777. */
export const round = (value: number, decimals: number): number => Number(value.toFixed(decimals));
