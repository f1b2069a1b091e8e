/** The base organization, or the same one night later after three changes (see ./index.ts). */
export type DemoVariant = 'base' | 'changed';
