/**
 * Text shapes of python-swiftclient's `swift` output: `prt_bytes`, Python's
 * `str.title()`, `%Ns` padding, `shlex.quote` and `repr` of strings.
 */

const SUFFIXES = ['', 'K', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];

/** `'%Ns' % value`: right-aligned in `width` characters, never truncated. */
export function padStart(value: unknown, width: number): string {
  return String(value).padStart(width);
}

/** `'%-Ns' % value`: left-aligned in `width` characters. */
export function padEnd(value: unknown, width: number): string {
  return String(value).padEnd(width);
}

/**
 * python-swiftclient's `prt_bytes`: right-aligned in 12 characters, or with
 * `human`, an `ls -lh` style size in 4 characters (`300K`, `1.5M`).
 */
export function prtBytes(value: number | string, human: boolean): string {
  if (!human) return padStart(value, 12);
  let num = Number(value);
  let index = 0;
  while (index < SUFFIXES.length - 1 && num > 1023) {
    num /= 1024;
    index += 1;
  }
  const suffix = SUFFIXES[index] as string;
  if (!suffix) return padStart(value, 4);
  if (num >= 10) return `${padStart(Math.trunc(num), 3)}${suffix}`;
  return `${pyFixed1(num)}${suffix}`;
}

/** `'%.1f' % num`: like toFixed(1), but exact ties round half to even as Python does. */
function pyFixed1(num: number): string {
  const scaled = num * 10;
  if (scaled % 1 === 0.5) {
    const floor = Math.floor(scaled);
    return ((floor % 2 === 0 ? floor : floor + 1) / 10).toFixed(1);
  }
  return num.toFixed(1);
}

/** Python's `str.title()`: a letter is upper-cased after a non-letter, lower-cased after a letter. */
export function pyTitle(text: string): string {
  let out = '';
  let previousCased = false;
  for (const ch of text) {
    const lower = ch.toLowerCase();
    const upper = ch.toUpperCase();
    const cased = lower !== upper;
    out += cased ? (previousCased ? lower : upper) : ch;
    previousCased = cased;
  }
  return out;
}

/** Python's `shlex.quote`. */
export function shQuote(text: string): string {
  if (text === '') return "''";
  if (/^[\w@%+=:,./-]+$/.test(text) && /^[\x00-\x7f]*$/.test(text)) return text;
  return `'${text.replace(/'/g, `'"'"'`)}'`;
}

/** Python's `repr()` of a str: single quotes unless the text holds ' and no ". */
export function pyStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0x80 && code < 0xa0) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/** `time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(seconds))`. */
export function gmtimeString(seconds: number): string {
  const date = new Date(Math.floor(seconds) * 1000);
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
}

/** A byte count for progress output: `12.3 MiB`. */
export function humanBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Makes a message safe to print on one line. */
export function oneLine(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/[\x00-\x08\x0b-\x1f]/g, ' ');
}
