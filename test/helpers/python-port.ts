// The set-up of the port of python-swiftclient's functional tests
// (test/functional/connection-*.test.ts): python's setUp/tearDown of
// TestFunctional, with names unique to the test, and its test data.
import type { Connection } from '../../src/index.js';
import { connect, purgeContainer, unique } from './env.js';

/** python's `self.test_data`, uploaded as both objects by setUp(). */
export const TEST_DATA = Buffer.from('42'.repeat(10));
/** MD5 (hex) of TEST_DATA. */
export const ETAG = '2704306ec982238d85d4b235c925d58e';

/** What python's setUp leaves on `self`. */
export interface Fixture {
  conn: Connection;
  containername: string;
  containername2: string;
  containername3: string;
  objectname: string;
  objectname2: string;
}

/** Two containers, TEST_DATA as two objects in the first (python's setUp); undo with tearDown(). */
export async function setUp(): Promise<Fixture> {
  const base = unique('pyport-container');
  const objectname = unique('pyport-object');
  const fixture: Fixture = {
    conn: connect(),
    containername: base,
    containername2: `${base}_second`,
    containername3: `${base}_third`,
    objectname,
    objectname2: `${objectname}_second`,
  };
  const { conn } = fixture;
  await conn.putContainer(fixture.containername);
  await conn.putContainer(fixture.containername2);
  await conn.putObject(fixture.containername, fixture.objectname, TEST_DATA);
  await conn.putObject(fixture.containername, fixture.objectname2, TEST_DATA);
  return fixture;
}

/** Purges every container a test may have made and closes the connection. */
export async function tearDown(fixture: Fixture): Promise<void> {
  const { conn } = fixture;
  for (const container of [fixture.containername, fixture.containername2, fixture.containername3, `${fixture.containername}_segments`]) {
    await purgeContainer(conn, container);
  }
  await conn.close();
}
