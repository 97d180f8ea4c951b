// yaml's parser behind a dynamic import (clouds.ts): an ES module of ours
// around the CommonJS package, so its named exports survive code splitting
// (esbuild hands a split-off CommonJS chunk over as its default export only).
export { parse } from 'yaml';
