// The number and time parsing python-swiftclient's `generate_temp_url`
// relies on (Python's `float()`, `time.strptime`, `calendar.timegm`,
// `time.mktime`, `time.strftime(..., time.gmtime())`), reimplemented so that
// a temp URL built here is byte-identical to one built by swiftclient.
import { ClientException } from '../errors.js';

/** python-swiftclient's message for a `seconds` it cannot read. */
export const TIME_ERRMSG = 'time must either be a whole number or in specific ISO 8601 format.';

// ---------------------------------------------------------------------------
// Python's float(str)

const NON_ASCII_SPACE = /^[\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u;
const DECIMAL_DIGIT = /^\p{Nd}$/u;
const ASCII_SPACE = ' \t\n\v\f\r';
const FLOAT_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const FLOAT_SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/** The value 0-9 of a Unicode decimal digit (category Nd), else undefined. */
export function decimalValue(ch: string): number | undefined {
  if (!DECIMAL_DIGIT.test(ch)) return undefined;
  const cp = ch.codePointAt(0) as number;
  // Nd characters come in contiguous runs of 0..9 (several runs may touch).
  let start = cp;
  while (start > 0 && DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start -= 1;
  return (cp - start) % 10;
}

/**
 * Python's `float(text)`: the number, or undefined where Python raises
 * ValueError. Accepts what Python does: surrounding whitespace, `_` between
 * digits, any Unicode decimal digits, `inf`/`infinity`/`nan` in any case.
 */
export function pyFloat(text: string): number | undefined {
  // Non-ASCII spaces become ' ', non-ASCII decimal digits their ASCII digit;
  // any other non-ASCII character makes the string invalid.
  let s = '';
  for (const ch of text) {
    if ((ch.codePointAt(0) as number) < 127) s += ch;
    else if (NON_ASCII_SPACE.test(ch)) s += ' ';
    else {
      const digit = decimalValue(ch);
      if (digit === undefined) return undefined;
      s += String(digit);
    }
  }
  if (s.includes('_')) {
    let cleaned = '';
    let prev = '';
    for (const ch of s) {
      if (ch === '_') {
        if (!(prev >= '0' && prev <= '9')) return undefined;
      } else {
        if (prev === '_' && !(ch >= '0' && ch <= '9')) return undefined;
        cleaned += ch;
      }
      prev = ch;
    }
    if (prev === '_') return undefined;
    s = cleaned;
  }
  let start = 0;
  let end = s.length;
  while (start < end && ASCII_SPACE.includes(s[start] as string)) start += 1;
  while (end > start && ASCII_SPACE.includes(s[end - 1] as string)) end -= 1;
  s = s.slice(start, end);
  if (FLOAT_NUMBER.test(s)) return Number(s);
  const special = FLOAT_SPECIAL.exec(s);
  if (special) {
    if ((special[2] as string).toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  return undefined;
}

/** Python's `int(text)` for the digit groups strptime captured. */
function pyInt(text: string): number {
  let value = 0;
  for (const ch of text.trim()) value = value * 10 + (decimalValue(ch) as number);
  return value;
}

// ---------------------------------------------------------------------------
// time.strptime with the three formats swiftclient tries

const D = '\\p{Nd}';
const Y = `(${D}${D}${D}${D})`;
const MONTH = '(1[0-2]|0[1-9]|[1-9])';
const DAY = `(3[0-1]|[1-2]${D}|0[1-9]|[1-9]| [1-9])`;
const HOUR = `(2[0-3]|[0-1]${D}|${D})`;
const MINUTE = `([0-5]${D}|${D})`;
const SECOND = `(6[0-1]|[0-5]${D}|${D})`;
const DATE = `${Y}-${MONTH}-${DAY}`;
const DATETIME = `${DATE}T${HOUR}:${MINUTE}:${SECOND}`;

/** '%Y-%m-%dT%H:%M:%SZ' (UTC), '%Y-%m-%dT%H:%M:%S' and '%Y-%m-%d' (local time), in that order. */
const ISO_FORMATS: ReadonlyArray<{ re: RegExp; utc: boolean }> = [
  { re: new RegExp(`^${DATETIME}Z`, 'iu'), utc: true },
  { re: new RegExp(`^${DATETIME}`, 'iu'), utc: false },
  { re: new RegExp(`^${DATE}`, 'iu'), utc: false },
];

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** `time.strptime`: the first alternative the regex finds must consume the whole string. */
function strptime(text: string, re: RegExp): Fields | undefined {
  const m = re.exec(text);
  if (!m || m[0].length !== text.length) return undefined;
  const n = (i: number): number => (m[i] === undefined ? 0 : pyInt(m[i] as string));
  const fields = { year: n(1), month: n(2), day: n(3), hour: n(4), minute: n(5), second: n(6) };
  // datetime.date() validation: year 1..9999, a day that exists in that month
  if (fields.year < 1 || fields.day > daysInMonth(fields.year, fields.month)) return undefined;
  return fields;
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysInMonth(year: number, month: number): number {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** `calendar.timegm` */
function timegm(f: Fields): number {
  return daysFromCivil(f.year, f.month, f.day) * 86400 + f.hour * 3600 + f.minute * 60 + f.second;
}

/** `int(time.mktime(t))` with tm_isdst -1: the fields read as local time. */
function mktime(f: Fields): number {
  const date = new Date(0);
  // setFullYear, unlike the Date constructor, does not map years 0-99 to 1900-1999
  date.setFullYear(f.year, f.month - 1, f.day);
  date.setHours(f.hour, f.minute, f.second, 0);
  return Math.trunc(date.getTime() / 1000);
}

// ---------------------------------------------------------------------------
// swiftclient's parse_timestamp

/**
 * python-swiftclient's `parse_timestamp(seconds, absolute)`: a whole number
 * of seconds, an ISO 8601 time (which makes it absolute), or, when not
 * absolute, a number with an `s`, `m`/`min`, `h`/`hr` or `d` suffix.
 * Resolves to `[timestamp, absolute]`; the timestamp is an integer (which
 * may exceed 2^53, as a Python int can).
 */
export function parseTimestamp(seconds: number | string, absolute: boolean): [number, boolean] {
  let value: number | undefined;
  if (typeof seconds === 'number') value = seconds;
  else if (typeof seconds === 'string') value = pyFloat(seconds);
  else throw new ClientException(`seconds must be a number or a string, not ${describe(seconds)}`);

  if (value !== undefined) {
    if (!Number.isInteger(value) || value < 0) throw new ClientException(TIME_ERRMSG);
    return [value === 0 ? 0 : value, absolute];
  }
  const text = seconds as string;
  for (const { re, utc } of ISO_FORMATS) {
    const fields = strptime(text, re);
    if (fields) return [utc ? timegm(fields) : mktime(fields), true];
  }
  if (!absolute) {
    for (const [suffix, multiplier] of SUFFIXES) {
      if (!text.endsWith(suffix)) continue;
      const amount = pyFloat(text.slice(0, -suffix.length));
      if (amount === undefined) throw new ClientException(TIME_ERRMSG);
      const scaled = multiplier * amount;
      if (Number.isNaN(scaled)) throw new ClientException(TIME_ERRMSG);
      if (!Number.isFinite(scaled)) throw new ClientException('cannot convert float infinity to integer');
      return [Math.trunc(scaled) + 0, false];
    }
  }
  throw new ClientException(TIME_ERRMSG);
}

const SUFFIXES: ReadonlyArray<readonly [string, number]> = [
  ['s', 1],
  ['m', 60],
  ['min', 60],
  ['h', 60 * 60],
  ['hr', 60 * 60],
  ['d', 24 * 60 * 60],
];

// ---------------------------------------------------------------------------
// time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(t))

const TIME_T_MIN = -(2n ** 63n);
const TIME_T_MAX = 2n ** 63n - 1n;
const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;

/**
 * Formats whole seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` the way
 * Python on glibc does (years are not zero-padded; far years are refused
 * with Python's messages).
 */
export function formatIso8601(epochSeconds: bigint): string {
  if (epochSeconds < TIME_T_MIN || epochSeconds > TIME_T_MAX) {
    throw new ClientException('timestamp out of range for platform time_t');
  }
  let days = epochSeconds / 86400n;
  let rest = epochSeconds % 86400n;
  if (rest < 0n) {
    rest += 86400n;
    days -= 1n;
  }
  // H. Hinnant's civil_from_days, in BigInt
  const z = days + 719468n;
  const era = (z >= 0n ? z : z - 146096n) / 146097n;
  const doe = z - era * 146097n;
  const yoe = (doe - doe / 1460n + doe / 36524n - doe / 146096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const day = doy - (153n * mp + 2n) / 5n + 1n;
  const month = mp < 10n ? mp + 3n : mp - 9n;
  const year = yoe + era * 400n + (month <= 2n ? 1n : 0n);
  if (year - 1900n < INT_MIN || year - 1900n > INT_MAX) {
    throw new ClientException('[Errno 75] Value too large for defined data type');
  }
  if (year > INT_MAX) throw new ClientException('signed integer is greater than maximum');
  const pad = (n: bigint): string => n.toString().padStart(2, '0');
  return `${year}-${pad(month)}-${pad(day)}T${pad(rest / 3600n)}:${pad((rest / 60n) % 60n)}:${pad(rest % 60n)}Z`;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return 'bytes';
  return typeof value;
}
