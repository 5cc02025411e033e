import { afterEach, describe, expect, it } from 'vitest';
import { maskValue, setMasking } from '../../src/privacy/masking.js';

describe('masking', () => {
  afterEach(() => setMasking([]));

  it('passes values through until the host turns masking on', () => {
    expect(maskValue('name', '王小明')).toBe('王小明');
  });

  it('keeps a name\'s first character and an id\'s last four, whatever the script', () => {
    setMasking(['name', 'clientId']);
    expect(maskValue('name', '王小明')).toBe('王**');
    expect(maskValue('name', 'Smith')).toBe('S****');
    expect(maskValue('clientId', 'C00012345')).toBe('*****2345');
    expect(maskValue('clientId', '12')).toBe('**');
    expect(maskValue('rm', 'Zhang Wei')).toBe('Zhang Wei');
    expect(maskValue('name', null)).toBe('');
  });

  it('refuses fields it cannot mask, naming them', () => {
    expect(() => setMasking(['aum' as never])).toThrow(/aum/);
  });
});
