/**
 * Quiet hours and the customer's calendar: no notification email is sent between NOTIFY_QUIET_HOURS (local
 * wall-clock hours in NOTIFY_TIME_ZONE, `22-8` and Asia/Shanghai by default). The inbox entry is made at once
 * whatever the hour; its email waits in the outbox until the quiet hours end (notifier.ts). The "once a day" of
 * near_limit is a day of the same calendar. Pure: the instant and the time zone are inputs.
 */

/** `[startHour, endHour)` in local hours, wrapping midnight when start > end (`22-8`: 22:00 to 07:59:59). */
export interface QuietHours {
  startHour: number;
  endHour: number;
}

/** `22-8` → {22, 8}; `off` → undefined (no quiet hours). Hours are 0-23 and differ. */
export function parseQuietHours(text: string): QuietHours | undefined {
  if (text === 'off') return undefined;
  const match = /^(\d{1,2})-(\d{1,2})$/.exec(text);
  const [startHour, endHour] = match ? [Number(match[1]), Number(match[2])] : [Number.NaN, Number.NaN];
  if (!(startHour <= 23 && endHour <= 23) || startHour === endHour)
    throw new Error(`NOTIFY_QUIET_HOURS must be "off" or "<start>-<end>" in hours 0-23 (e.g. 22-8): ${text}`);
  return { startHour, endHour };
}

/** Whether `timeZone` is an IANA zone this runtime knows (`Asia/Shanghai`, `UTC`). */
export function knownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

interface LocalTime {
  /** `YYYY-MM-DD` in the zone. */
  day: string;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localTime(ms: number, timeZone: string): LocalTime {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(ms).map((p) => [p.type, p.value]));
  return {
    day: `${parts['year']}-${parts['month']}-${parts['day']}`,
    hour: Number(parts['hour']),
    minute: Number(parts['minute']),
    second: Number(parts['second']),
  };
}

/** The customer's calendar day of an instant: `YYYY-MM-DD` in `timeZone`. */
export const localDay = (ms: number, timeZone: string): string => localTime(ms, timeZone).day;

export function isQuiet(hour: number, quiet: QuietHours): boolean {
  return quiet.startHour < quiet.endHour
    ? hour >= quiet.startHour && hour < quiet.endHour
    : hour >= quiet.startHour || hour < quiet.endHour;
}

/**
 * When the quiet hours around `nowMs` end (the next `endHour:00` local), or undefined when `nowMs` is not in them.
 * Counted in wall-clock minutes from now: exact in zones without daylight saving (Asia/Shanghai); across a DST
 * change it may be an hour off, which only moves a deferred email by that hour.
 */
export function quietUntil(
  nowMs: number,
  quiet: QuietHours | undefined,
  timeZone: string,
): number | undefined {
  if (!quiet) return undefined;
  const local = localTime(nowMs, timeZone);
  if (!isQuiet(local.hour, quiet)) return undefined;
  const minutesNow = local.hour * 60 + local.minute;
  const minutesLeft = (quiet.endHour * 60 - minutesNow + 1_440) % 1_440;
  return nowMs + minutesLeft * 60_000 - local.second * 1_000 - (nowMs % 1_000);
}
