// The example page: pick a file, watch it upload (uploadBlob: segments in
// parallel, progress per 256 KiB handed to the browser), list the container,
// download an object back as a Blob.
import { Connection, uploadBlob } from '/swiftclient.js';

const $ = (id) => document.getElementById(id);
const container = new URLSearchParams(location.search).get('container') ?? 'swiftclient-example';
$('container').textContent = container;
const status = (text) => ($('status').textContent = text);

// The page's server logged in and hands over a token: no password in the page.
const { storageUrl, token } = await (await fetch('/session')).json();
const conn = new Connection({ preauthUrl: storageUrl, preauthToken: token });

async function refresh() {
  const rows = [];
  try {
    for await (const entry of conn.listObjects(container)) {
      if (entry.kind !== 'object') continue;
      const row = document.createElement('tr');
      row.innerHTML = '<td class="name"></td><td class="size"></td><td><button>Download</button></td>';
      row.querySelector('.name').textContent = entry.name;
      row.querySelector('.size').textContent = entry.bytes.toLocaleString('en');
      row.querySelector('button').onclick = () => download(entry.name);
      rows.push(row);
    }
  } catch (err) {
    if (err.httpStatus !== 404) throw err; // no container yet
  }
  $('list').replaceChildren(...rows);
}

async function download(name) {
  status(`Downloading ${name}…`);
  const { body } = await conn.openObject(container, name, {
    onProgress: ({ bytes, total }) => ($('bar').value = total ? bytes / total : 0),
  });
  const url = URL.createObjectURL(await body.blob()); // MD5-checked against the ETag
  const link = Object.assign(document.createElement('a'), { href: url, download: name.split('/').pop() });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  status(`Downloaded ${name}`);
}

let controller;
$('file').onchange = () => ($('upload').disabled = !$('file').files.length);
$('cancel').onclick = () => controller?.abort();
$('upload').onclick = async () => {
  const file = $('file').files[0];
  controller = new AbortController();
  $('upload').disabled = true;
  $('cancel').disabled = false;
  status(`Uploading ${file.name}…`);
  try {
    const result = await uploadBlob(conn, container, file.name, file, {
      segmentSize: '8M',
      segmentThreads: 4,
      signal: controller.signal,
      onProgress: ({ bytesDone, bytesTotal }) => ($('bar').value = bytesTotal ? bytesDone / bytesTotal : 1),
    });
    const how = result.largeObject ? `as ${result.segmentResults.length} segments` : 'in one request';
    status(`Uploaded ${file.name}: ${result.bytes.toLocaleString('en')} bytes ${how}`);
  } catch (err) {
    status(`Upload failed: ${err.message}`);
  } finally {
    $('upload').disabled = false;
    $('cancel').disabled = true;
  }
  await refresh();
};

await refresh();
status('Ready: pick a file');
