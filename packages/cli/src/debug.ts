import { setDebugLog } from 'swiftclient';

/**
 * `--debug`: every request and response as curl-style lines on stderr.
 * `--info`: only those whose status is 400 or more (python's INFO level).
 * Tokens and keys are redacted by the library in both.
 */
export function enableDebugLog(mode: 'debug' | 'info', write: (line: string) => void): void {
  if (mode === 'debug') {
    setDebugLog((line) => write(line));
    return;
  }
  let lastRequest: string | undefined;
  let showHeaders = false;
  setDebugLog((line) => {
    if (line.startsWith('REQ: ')) {
      lastRequest = line;
      showHeaders = false;
      return;
    }
    const status = /^RESP STATUS: (\d+)/.exec(line);
    if (status) {
      showHeaders = Number(status[1]) >= 400;
      if (showHeaders && lastRequest) write(lastRequest);
      if (showHeaders) write(line);
      lastRequest = undefined;
      return;
    }
    if (line.startsWith('RESP HEADERS: ')) {
      if (showHeaders) write(line);
      showHeaders = false;
      return;
    }
    write(line);
  });
}
