/**
 * A date as Swift writes it: listings use ISO 8601 in UTC without a zone
 * (`2024-05-01T10:20:30.123450`), headers use HTTP dates. An absent or
 * unreadable value is an invalid Date (its getTime() is NaN).
 */
export function swiftDate(value: string | undefined): Date {
  if (typeof value !== 'string' || value === '') return new Date(NaN);
  const iso = /^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(value) ? `${value}Z` : value;
  return new Date(iso);
}

/** A header holding Unix seconds (`X-Delete-At`, `X-Timestamp`) as a Date; undefined when absent or not a number. */
export function unixSecondsDate(value: string | undefined): Date | undefined {
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value)) return undefined;
  return new Date(Math.round(Number(value) * 1000));
}
