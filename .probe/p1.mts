import { connect, unique, purgeContainer } from '../test/helpers/env.js';
import { quote } from '../src/index.js';
const conn = connect();
const c = unique('probe');
await conn.putContainer(c, { headers: { 'x-versions-enabled': 'true' } });
await conn.putObject(c, 'v', 'one');
await conn.putObject(c, 'v', 'two');
const [h, l] = await conn.getContainer(c, { queryString: 'versions' });
console.log(h, l);
const [, l2] = await conn.getContainer(c, { queryString: 'versions', marker: 'v', versionMarker: l[0].version_id as string });
console.log(l2);
const [, l3] = await conn.getContainer(c, { queryString: 'versions', limit: 1, fullListing: true });
console.log(l3);
for (const e of l) await conn.deleteObject(c, 'v', { queryString: `version-id=${e.version_id}` });
console.log(await conn.getContainer(c, { queryString: 'versions' }));
try { await conn.deleteContainer(c); console.log('deleted'); } catch (e) { console.log(String(e)); }
// dotted names
await conn.putContainer(c+'x');
try { await conn.putObject(c+'x', 'a/../b', 'dots'); } catch (e) { console.log(String(e)); }
console.log((await conn.getContainer(c+'x'))[1]);
await purgeContainer(conn, c+'x');
await conn.close();
