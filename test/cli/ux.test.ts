// What our CLI adds over python's `swift`: the short grouped --help with the
// --os-* options under --os-help, "did you mean" for a mistyped command,
// `completion bash|zsh`, and `--json` results (one JSON object per line)
// of stat, upload, download, copy, post and delete against the local Swift.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect, purgeContainer, unique } from '../helpers/env.js';
import { ours, oursLine } from './helpers.js';

let work: string;
const container = unique('cli-json');

before(() => {
  work = mkdtempSync(join(tmpdir(), 'swiftclient-ux-'));
});

after(async () => {
  const conn = connect();
  for (const c of [container, `${container}-copy`]) await purgeContainer(conn, c);
  await conn.close();
  rmSync(work, { recursive: true, force: true });
});

/** The JSON lines of a `--json` run. */
function lines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('help', { concurrency: true }, () => {
  test('--help is short and grouped; the --os-* options are under --os-help', async () => {
    const [help, os] = await Promise.all([ours(['--help']), ours(['--os-help'])]);
    assert.equal(help.code, 0, help.stderr);
    const sections = help.stdout.split('\n').filter((line) => /^[A-Z][a-zA-Z ]+:$/.test(line));
    assert.deepEqual(sections, ['Commands:', 'Authentication:', 'Connection:', 'Output:', 'Other:', 'Examples:']);
    const optionLines = help.stdout.split('\n').filter((line) => /^ {2}-/.test(line));
    assert.ok(optionLines.length <= 20, `${optionLines.length} option lines`);
    assert.doesNotMatch(help.stdout, /^ {2}--os-(username|auth-url|password|project-name) /m);
    assert.match(help.stdout, /^ {2}upload +Uploads/m);
    assert.equal(os.code, 0, os.stderr);
    for (const flag of ['--os-username', '--os-password', '--os-auth-url', '--os-project-name', '--os-storage-url', '--os-auth-token']) {
      assert.match(os.stdout, new RegExp(`^ {2}${flag} <`, 'm'));
    }
  });

  test('a mistyped command: "did you mean", exit code 1; nothing suggested for a word far from any command', async () => {
    const [typo, far, prefix] = await Promise.all([ours(['lsit']), ours(['xyzzy']), ours(['downl'])]);
    assert.equal(typo.code, 1);
    assert.match(typo.stderr, /no such command: lsit\nDid you mean 'list'\?\n$/);
    assert.equal(far.code, 1);
    assert.match(far.stderr, /no such command: xyzzy\n$/);
    assert.match(prefix.stderr, /Did you mean 'download'\?/);
  });
});

describe('completion', () => {
  test('bash: commands, then the options of the command typed', async () => {
    const script = await ours(['completion', 'bash']);
    assert.equal(script.code, 0, script.stderr);
    const bin = join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'swiftclient'), `#!/bin/sh\nexec ${oursLine([])} "$@"\n`);
    chmodSync(join(bin, 'swiftclient'), 0o755);
    writeFileSync(join(work, 'completion.bash'), script.stdout);
    const complete = (words: string[]): string[] => {
      const line = `source ${join(work, 'completion.bash')}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _swiftclient; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const r = spawnSync('bash', ['-c', line], { env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` }, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.split('\n').filter(Boolean).sort();
    };
    assert.deepEqual(complete(['swiftclient', 'up']), ['upload']);
    assert.deepEqual(complete(['swiftclient', 'd']), ['delete', 'download']);
    assert.deepEqual(complete(['swiftclient', '-v', 'upload', '--segment-']), ['--segment-container', '--segment-size', '--segment-threads']);
    assert.deepEqual(complete(['swiftclient', 'stat', '--os-user-d']), ['--os-user-domain-id', '--os-user-domain-name']);
  });

  test('zsh: a script zsh accepts; an unknown shell is refused', async (t) => {
    const [zsh, fish] = await Promise.all([ours(['completion', 'zsh']), ours(['completion', 'fish'])]);
    assert.equal(zsh.code, 0, zsh.stderr);
    assert.match(zsh.stdout, /^#compdef swiftclient\n/);
    assert.match(zsh.stdout, /compdef _swiftclient swiftclient\n$/);
    assert.equal(fish.code, 1);
    assert.match(fish.stderr, /Unknown shell 'fish': use bash or zsh/);
    const check = spawnSync('zsh', ['-n'], { input: zsh.stdout, encoding: 'utf8' });
    if (check.error) t.diagnostic('zsh is not installed: its syntax check was skipped');
    else assert.equal(check.status, 0, check.stderr);
  });
});

describe('--json results', () => {
  test('upload, stat, post, copy, download and delete print one JSON object per result', async () => {
    const src = join(work, 'src');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'a.txt'), 'alpha\n');
    writeFileSync(join(src, 'sub/b.txt'), 'bravo!\n');

    const up = await ours(['upload', '--json', container, 'src'], { cwd: work });
    assert.equal(up.code, 0, up.stderr);
    assert.equal(up.stderr, '');
    const uploads = lines(up.stdout);
    const objects = uploads.filter((r) => r.action === 'upload_object');
    assert.deepEqual(objects.map((r) => [r.object, r.path, r.bytes, r.success]).sort(), [
      ['src/a.txt', 'src/a.txt', 6, true],
      ['src/sub/b.txt', 'src/sub/b.txt', 7, true],
    ]);
    assert.ok(uploads.some((r) => r.action === 'create_container' && r.container === container));

    const post = await ours(['post', '--json', '-m', 'Color:Blue', container, 'src/a.txt']);
    assert.equal(post.code, 0, post.stderr);
    const [posted] = lines(post.stdout);
    assert.equal(posted?.action, 'post_object');
    assert.deepEqual(posted?.headers, { 'x-object-meta-color': 'Blue' });

    const stat = await ours(['stat', '--json', container, 'src/a.txt']);
    assert.equal(stat.code, 0, stat.stderr);
    const [stated] = lines(stat.stdout);
    assert.equal(stated?.action, 'stat_object');
    const headers = stated?.headers as Record<string, string>;
    assert.equal(headers['content-length'], '6');
    assert.equal(headers['x-object-meta-color'], 'Blue');

    const copy = await ours(['copy', '--json', '-d', `/${container}-copy`, container, 'src/a.txt']);
    assert.equal(copy.code, 0, copy.stderr);
    const copied = lines(copy.stdout).find((r) => r.action === 'copy_object');
    assert.deepEqual([copied?.object, copied?.destination, copied?.success], ['src/a.txt', `/${container}-copy/src/a.txt`, true]);

    const out = join(work, 'out');
    const down = await ours(['download', '--json', container, '-D', out]);
    assert.equal(down.code, 0, down.stderr);
    const downloads = lines(down.stdout);
    assert.deepEqual(downloads.map((r) => [r.action, r.object, r.bytes]).sort(), [
      ['download_object', 'src/a.txt', 6],
      ['download_object', 'src/sub/b.txt', 7],
    ]);
    for (const r of downloads) assert.equal(readFileSync(r.path as string, 'utf8'), readFileSync(join(work, r.object as string), 'utf8'));

    const del = await ours(['delete', '--json', container]);
    assert.equal(del.code, 0, del.stderr);
    const deleted = lines(del.stdout);
    assert.deepEqual(deleted.filter((r) => r.action === 'delete_object').map((r) => r.object).sort(), ['src/a.txt', 'src/sub/b.txt']);
    assert.ok(deleted.some((r) => r.action === 'delete_container' && r.success === true));
  });

  test('a failure is a JSON line with success false and the error code; the exit code is 1', async () => {
    const missing = unique('cli-json-missing');
    const [stat, del] = await Promise.all([ours(['stat', '--json', missing]), ours(['delete', '--json', missing, 'nope'])]);
    assert.equal(stat.code, 1);
    const [failed] = lines(stat.stdout);
    assert.equal(failed?.success, false);
    assert.equal(failed?.container, missing);
    assert.deepEqual([(failed?.error as Record<string, unknown>).code, (failed?.error as Record<string, unknown>).httpStatus], ['NOT_FOUND', 404]);
    assert.equal(del.code, 1);
    const [gone] = lines(del.stdout);
    assert.deepEqual([gone?.action, gone?.object, gone?.success], ['delete_object', 'nope', false]);
  });
});
