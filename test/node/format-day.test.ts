// formatDay keeps one Intl formatter per locale: what it prints must still follow the locale asked for.
import { describe, expect, it } from 'vitest';
import { formatDay } from '../../src/i18n/format.js';

describe('formatDay', () => {
  it('prints Arrow day numbers as dates in the locale given, each time', () => {
    // 2024-02-29 is day 19,782 since 1970-01-01.
    const day = Date.UTC(2024, 1, 29) / 86_400_000;
    expect(formatDay(day, 'en-US')).toBe('Feb 29, 2024');
    expect(formatDay(day, 'zh-CN')).toBe('2024年2月29日');
    expect(formatDay(day + 1, 'en-US')).toBe('Mar 1, 2024');
    expect(formatDay(0, 'zh-CN')).toBe('1970年1月1日');
  });
});
