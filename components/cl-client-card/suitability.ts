/**
 * The suitability check (DOMAIN.md "Suitability") of the client card: a product may be recommended
 * only up to the client's own risk-assessment level. Public (exported with the card), and kept
 * apart from the card's on-demand views so that a page can use it without loading them.
 */
/** A product proposed to the client, with its risk level (1 = lowest, 5 = highest). */
export interface SuitabilityProduct {
  readonly name: string;
  readonly riskLevel: number;
}

/** One product against the client's risk-assessment level. */
export interface SuitabilityCheck {
  readonly product: SuitabilityProduct;
  /** 'mismatch': product riskier than the client's level; 'unknown': no assessment or a bad level. */
  readonly status: 'suitable' | 'mismatch' | 'unknown';
}

/** DOMAIN.md "Suitability": a product may be recommended only up to the client's own risk level. */
export function checkSuitability(clientLevel: number | null, products: readonly SuitabilityProduct[]): SuitabilityCheck[] {
  return products.map((product) => {
    const p = product.riskLevel;
    const valid = Number.isInteger(p) && p >= 1 && p <= 5;
    if (!valid || clientLevel === null) return { product, status: 'unknown' };
    return { product, status: p > clientLevel ? 'mismatch' : 'suitable' };
  });
}
