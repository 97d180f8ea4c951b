// Type-level tests of the error classes' codes, checked by `tsc -p test/types`
// (npm run typecheck, and test/unit/native-types.test.ts): after `instanceof`,
// `code` is the subclass's own literal, and a union of error classes narrows
// on `code` like any discriminated union.
import { ChecksumError, ClientException, NetworkError, NotFoundError, TimeoutError, UnauthorizedError } from '../../src/index.js';

export function afterInstanceof(err: unknown): void {
  if (err instanceof TimeoutError) {
    const code: 'TIMEOUT' = err.code;
    void code;
  } else if (err instanceof NetworkError) {
    const code: 'NETWORK' | 'TIMEOUT' = err.code;
    // @ts-expect-error a NetworkError is never NOT_FOUND
    const wrong: 'NETWORK' = err.code;
    void [code, wrong];
  } else if (err instanceof NotFoundError) {
    const code: 'NOT_FOUND' = err.code;
    void code;
  } else if (err instanceof UnauthorizedError) {
    const code: 'UNAUTHORIZED' = err.code;
    void code;
  } else if (err instanceof ChecksumError) {
    const code: 'CHECKSUM' = err.code;
    void code;
  } else if (err instanceof ClientException) {
    // @ts-expect-error a plain ClientException may have any code
    const code: 'HTTP' = err.code;
    void code;
  }
}

export function discriminated(err: ChecksumError | NotFoundError | NetworkError): string {
  switch (err.code) {
    case 'CHECKSUM':
      return err.expected;
    case 'NOT_FOUND':
      // @ts-expect-error only a ChecksumError has digests
      return err.expected;
    case 'NETWORK':
    case 'TIMEOUT':
      return err.message;
    default: {
      const never: never = err;
      return never;
    }
  }
}
