import { connect, unique, purgeContainer } from '../test/helpers/env.js';
import { ClientException } from '../src/index.js';
import { inspect } from 'node:util';
const conn = connect();
const c = unique('probe');
await conn.putContainer(c);
for (const n of ['a', 'b/1', 'b/2', 'c', 'd/x/y', 'e', 'f']) await conn.putObject(c, n, n);
const names = (l: any[]) => l.map((e) => e.name ?? `sub:${e.subdir}`);
console.log(names((await conn.getContainer(c, { path: 'd' }))[1]));
console.log(names((await conn.getContainer(c, { path: 'b' }))[1]));
console.log(names((await conn.getContainer(c, { delimiter: '/', limit: 2, fullListing: true }))[1]));
console.log(names((await conn.getContainer(c, { delimiter: '/', marker: 'b/' }))[1]));
try { await conn.getObject(c, 'missing ?#'); } catch (e) { console.log(String(e)); console.log(inspect(e)); console.log(JSON.stringify(e)); }
try { await conn.putObject(c, 'x'.repeat(1025), 'x'); } catch (e) { console.log(String(e)); }
try { await conn.putObject(c, 'crlf', 'x', { headers: { 'x-object-meta-a': 'x\r\ny: z' } }); } catch (e) { console.log(String(e)); }
try { await connect({ key: 'wrong' }).headAccount(); } catch (e) { console.log(String(e), (e as any).httpStatus); }
const rd: any = {};
await conn.putObject(c, 'rd', 'x', { responseDict: rd });
console.log(rd);
await purgeContainer(conn, c);
await conn.close();
