/**
 * Business time zone: a date-time without offset in a request or a gRPC message (the original's
 * Java LocalDateTime, e.g. `orderingOpensAt`) is local time there. Everything is stored in UTC.
 */
export const BUSINESS_TIME_ZONE = process.env.BUSINESS_TIME_ZONE ?? 'Asia/Seoul';

/** Building an Intl formatter is costly (it showed as 13 % of the order path): one per zone. */
const formatters = new Map<string, Intl.DateTimeFormat>();
const formatter = (timeZone: string) => {
  let f = formatters.get(timeZone);
  if (!f) formatters.set(timeZone, (f = createFormatter(timeZone)));
  return f;
};
const createFormatter = (timeZone: string) =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });

/** `2024-09-01T10:00:00` in the business time zone. */
export function toLocalDateTime(date: Date, timeZone = BUSINESS_TIME_ZONE): string {
  return formatter(timeZone).format(date).replace(' ', 'T');
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;

/**
 * Reads `yyyy-MM-ddTHH:mm[:ss[.fff]]` as local time in the business time zone; a value with an
 * offset or `Z` is read as it says. Returns undefined for anything unparsable.
 */
export function parseLocalDateTime(value: string, timeZone = BUSINESS_TIME_ZONE): Date | undefined {
  const m = LOCAL_DATE_TIME.exec(value);
  if (!m) {
    if (!/(Z|[+-]\d{2}:\d{2})$/.test(value)) return undefined;
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  const [, y, mo, d, h, mi, s = '0', frac = '0'] = m;
  const asUtc = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, Math.floor(Number(`0.${frac}`) * 1000));
  if (Number.isNaN(asUtc)) return undefined;
  // the zone's offset at that instant (two passes settle DST edges)
  let guess = asUtc;
  for (let i = 0; i < 2; i++) {
    const local = Date.parse(`${toLocalDateTime(new Date(guess), timeZone)}Z`);
    if (Number.isNaN(local)) return undefined; // a year the ISO form cannot write in four digits
    guess = asUtc - (local - guess);
  }
  const result = new Date(guess);
  // reject dates that do not exist (2024-02-30)
  return toLocalDateTime(result, timeZone).startsWith(`${y}-${mo}-${d}T${h}:${mi}`) ? result : undefined;
}
