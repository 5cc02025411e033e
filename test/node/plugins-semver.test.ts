import { describe, expect, it } from 'vitest';
import { compareVersions, isValidRange, parseVersion, satisfies } from '../../src/plugins/semver.js';
import { CLIENTLENS_VERSION } from '../../src/plugins/version.js';
import { readFileSync } from 'node:fs';

describe('semver subset for engines and services', () => {
  it('parses versions and orders them as semver does (prereleases before releases)', () => {
    expect(parseVersion('1.2.3')).toMatchObject({ major: 1, minor: 2, patch: 3 });
    expect(parseVersion('1.2')).toBeNull();
    expect(parseVersion('01.2.3')).toBeNull();
    expect(parseVersion('1.2.3-beta.2+build.7')?.prerelease).toEqual(['beta', 2]);
    const sorted = ['1.0.0', '1.0.0-rc.1', '1.0.0-alpha', '1.0.0-alpha.1', '0.9.9', '1.0.0-beta.11', '1.0.0-beta.2']
      .map((v) => parseVersion(v)!)
      .sort(compareVersions)
      .map((v) => [v.major, v.minor, v.patch, ...v.prerelease].join('.'));
    expect(sorted).toEqual(['0.9.9', '1.0.0.alpha', '1.0.0.alpha.1', '1.0.0.beta.2', '1.0.0.beta.11', '1.0.0.rc.1', '1.0.0']);
  });

  const cases: [string, string, boolean][] = [
    ['1.2.3', '^1.2.0', true],
    ['1.9.0', '^1.2.0', true],
    ['2.0.0', '^1.2.0', false],
    ['1.1.9', '^1.2.0', false],
    ['0.1.5', '^0.1.0', true],
    ['0.2.0', '^0.1.0', false],
    ['0.0.3', '^0.0.3', true],
    ['0.0.4', '^0.0.3', false],
    ['1.2.9', '~1.2.3', true],
    ['1.3.0', '~1.2.3', false],
    ['1.9.0', '~1', true],
    ['1.2.3', '>=1.2.3 <2', true],
    ['2.0.0', '>=1.2.3 <2', false],
    ['2.0.0-beta', '>=1.2.3 <2', false],
    ['1.2.3', '1.2.3', true],
    ['1.2.4', '=1.2.3', false],
    ['1.7.0', '1.x', true],
    ['2.0.0', '1.x', false],
    ['1.2.8', '1.2.*', true],
    ['9.9.9', '*', true],
    ['0.5.0', '<1.0', true],
    ['1.0.0', '<=1.0', true],
    ['1.1.0', '<=1.0', false],
    ['1.1.0', '>1.0', true],
    ['1.0.5', '>1.0', false],
    ['3.1.0', '^1.0.0 || ^3.0.0', true],
    ['2.1.0', '^1.0.0 || ^3.0.0', false],
    ['1.0.0-beta.2', '^1.0.0-beta.1', true],
    ['1.0.1-beta.2', '^1.0.0-beta.1', false],
    ['1.2.0-rc.1', '^1.0.0', false],
    ['1.2.3', '>= 1.2', true],
  ];
  it.each(cases)('%s satisfies %s: %s', (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected);
  });

  it('rejects ranges it cannot read, with the text that failed', () => {
    for (const bad of ['^^1', '1.2.3.4', 'latest', '>=a', '1 - 2']) expect(isValidRange(bad), bad).toBe(false);
    expect(() => satisfies('1.0.0', 'banana')).toThrow(/"banana" is not a version range/);
    expect(() => satisfies('one', '^1')).toThrow(/is not a version/);
    expect(() => satisfies('1.0.0', `^${'1'.repeat(300)}`)).toThrow(/at most 256/);
  });

  it('keeps CLIENTLENS_VERSION equal to package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(CLIENTLENS_VERSION).toBe(pkg.version);
  });
});
