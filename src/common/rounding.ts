/**
 * Rounds half away from zero to `decimals` places, as a person would round the number as
 * printed: 1.005 → 1.01 and 2/3*100 → 66.67, although 1.005 is stored as 1.00499999….
 * The decimal point is moved in the number's shortest decimal text ("1.005e2" parses to exactly
 * 100.5), never by multiplying, which would carry the binary error into Math.round.
 * Exact for every result of one division of two integers (how every score is computed): the
 * division is correctly rounded, so its shortest text is the exact quotient whenever that
 * quotient has few decimals.
 */
export function roundHalfAwayFromZero(value: number, decimals: number): number {
  if (value === 0) return 0; // also turns -0 into 0
  if (!Number.isFinite(value)) return value;
  const [mantissa, exponent = '0'] = String(Math.abs(value)).split('e');
  const shifted = Number(`${mantissa}e${Number(exponent) + decimals}`);
  // Past 2^53 there is no fraction left to round (and the text would be exponential).
  if (shifted >= Number.MAX_SAFE_INTEGER) return value;
  const rounded = Number(`${Math.round(shifted)}e-${decimals}`);
  // + 0 turns -0 into 0.
  return Math.sign(value) * rounded + 0;
}
