import { parseLocalDateTime, toLocalDateTime } from './time';

describe('business time zone (Asia/Seoul, UTC+9)', () => {
  it('formats an instant as local date-time', () => {
    expect(toLocalDateTime(new Date('2024-09-01T01:00:00Z'), 'Asia/Seoul')).toBe('2024-09-01T10:00:00');
  });

  it('reads a date-time without offset as local time there', () => {
    expect(parseLocalDateTime('2024-09-01T10:00', 'Asia/Seoul')?.toISOString()).toBe('2024-09-01T01:00:00.000Z');
    expect(parseLocalDateTime('2024-09-01T10:00:30.5', 'Asia/Seoul')?.toISOString()).toBe('2024-09-01T01:00:30.500Z');
  });

  it('reads a value with an offset as it says', () => {
    expect(parseLocalDateTime('2024-09-01T10:00:00Z')?.toISOString()).toBe('2024-09-01T10:00:00.000Z');
    expect(parseLocalDateTime('2024-09-01T10:00:00+02:00')?.toISOString()).toBe('2024-09-01T08:00:00.000Z');
  });

  it('handles daylight saving zones', () => {
    expect(parseLocalDateTime('2024-07-01T12:00', 'Europe/Berlin')?.toISOString()).toBe('2024-07-01T10:00:00.000Z');
    expect(parseLocalDateTime('2024-01-01T12:00', 'Europe/Berlin')?.toISOString()).toBe('2024-01-01T11:00:00.000Z');
  });

  it.each([
    '2024-02-30T10:00',
    'tomorrow',
    '2024-09-01',
    '2024-09-01T25:00',
    '0968-46-61T92:42:46.2900',
    '0968-01-01T00:00',
    '9999-12-31T23:59',
  ])('rejects %s', (value) => {
    expect(parseLocalDateTime(value, 'Asia/Seoul')).toBeUndefined();
  });
});
