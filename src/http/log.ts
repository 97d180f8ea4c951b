import { redactHeaders, redactUrl } from '../util/redact.js';

/** Where debug lines go; defaults to stderr. */
export type LogSink = (line: string) => void;

let sink: LogSink | undefined = globalThis.process?.env?.SWIFTCLIENT_DEBUG ? (line) => process.stderr.write(`${line}\n`) : undefined;

/**
 * Turns the curl-style request/response debug log on (with a sink) or off
 * (with undefined). Secrets are always redacted. Also on when the
 * SWIFTCLIENT_DEBUG environment variable is set.
 */
export function setDebugLog(newSink: LogSink | undefined): void {
  sink = newSink;
}

export function isDebugEnabled(): boolean {
  return sink !== undefined;
}

export const debugLog = {
  request(method: string, url: string, headers: Record<string, string>): void {
    if (!sink) return;
    let line = 'REQ: curl -i';
    line += method === 'HEAD' ? ' -I' : ` -X ${method}`;
    line += ` ${redactUrl(url)}`;
    for (const [name, value] of Object.entries(redactHeaders(headers))) line += ` -H "${name}: ${value}"`;
    sink(line);
  },
  response(status: number, reason: string, headers: Record<string, string>): void {
    if (!sink) return;
    sink(`RESP STATUS: ${status} ${reason}`);
    sink(`RESP HEADERS: ${JSON.stringify(redactHeaders(headers))}`);
  },
  message(text: string): void {
    sink?.(text);
  },
};
