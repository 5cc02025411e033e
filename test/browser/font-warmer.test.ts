import { expect } from 'chai';
import '../../src/index.js';
import { TYPE_SCALE, warmTypeScale } from '../../components/shared/font-warmer.js';
import { until } from './support/until.js';

const frames = (n: number) => new Promise<void>((resolve) => {
  const step = (left: number) => (left ? requestAnimationFrame(() => step(left - 1)) : resolve());
  step(n);
});

describe('warmTypeScale', () => {
  afterEach(() => document.body.replaceChildren());

  it('names only steps the theme defines', async () => {
    const el = document.createElement('cl-dashboard');
    document.body.append(el);
    await (el as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    // A step the theme lacks would leave its samples at the inherited size: a lookup of nothing new.
    for (const step of TYPE_SCALE) {
      expect(getComputedStyle(el).getPropertyValue(step).trim(), `${step} in the theme`).to.match(/^\d+(\.\d+)?(px|rem)$/);
    }
  });

  it('lays out hidden samples of every step, one per frame, then removes them', async () => {
    const host = document.createElement('div');
    document.body.append(host);
    const root = host.attachShadow({ mode: 'open' });
    warmTypeScale(root);
    await until(() => root.querySelector('[aria-hidden="true"]'), 'the samples', 10_000);
    const box = root.querySelector<HTMLElement>('[aria-hidden="true"]')!;
    expect(getComputedStyle(box).visibility).to.equal('hidden');
    expect(host.getBoundingClientRect().height, 'the host keeps its own size').to.equal(0);
    let most = 0;
    while (box.isConnected) {
      most = Math.max(most, box.children.length);
      await frames(1);
    }
    // Every step in two weights, and the monospace ids.
    expect(most).to.equal(TYPE_SCALE.length * 2 + 1);
    expect(root.childNodes.length, 'nothing left behind').to.equal(0);
  });

  it('stops and removes its samples when disposed', async () => {
    const host = document.createElement('div');
    document.body.append(host);
    const root = host.attachShadow({ mode: 'open' });
    const warm = warmTypeScale(root);
    await until(() => root.querySelector('[aria-hidden="true"]'), 'the samples', 10_000);
    const box = root.querySelector('[aria-hidden="true"]')!;
    warm.dispose();
    expect(box.isConnected).to.equal(false);
    await frames(3);
    expect(root.childNodes.length).to.equal(0);
  });
});
