// Custom Elements Manifest from the elements' doc comments (@summary, @attr, @event, @csspart...).
export default {
  globs: ['components/**/*.ts'],
  exclude: ['components/**/*.test.ts', 'components/**/*.styles.ts', 'components/shared/**'],
  outdir: 'dist',
  litelement: true,
};
