import {constants} from 'node:fs';

import {otherUserMayWrite} from '../../src/lib/fs/secure-fs.js';

const dir = (mode: number, uid: number) => ({mode: constants.S_IFDIR | mode, uid});
const file = (mode: number, uid: number) => ({mode: constants.S_IFREG | mode, uid});
const ME = 1000;

describe('otherUserMayWrite: the one rule of the stores, the helper and doctor', () => {
  test.each([
    ['a private dir of mine', dir(0o700, ME), undefined],
    ['a readable dir of mine', dir(0o755, ME), undefined],
    ["root's dir", dir(0o755, 0), undefined],
    ["root's sticky shared dir (/tmp)", dir(0o1777, 0), undefined],
    ['my sticky shared dir', dir(0o1777, ME), undefined],
    ['a world-writable dir of mine', dir(0o777, ME), 'other users can write to it (mode 0777)'],
    ['a group-writable dir of mine', dir(0o770, ME), 'other users can write to it (mode 0770)'],
    ["root's world-writable dir, not sticky", dir(0o777, 0), 'other users can write to it (mode 0777)'],
    ["another user's private dir", dir(0o700, 1001), 'it belongs to another user (uid 1001)'],
    ["another user's sticky dir (they may remove what is in it)", dir(0o1777, 1001), 'it belongs to another user (uid 1001)'],
    ['my 0600 file', file(0o600, ME), undefined],
    ["root's 0644 file", file(0o644, 0), undefined],
    ["another user's 0600 file", file(0o600, 65534), 'it belongs to another user (uid 65534)'],
    ['my group-writable file', file(0o620, ME), 'other users can write to it (mode 0620)'],
    ['my world-writable file, sticky bit or not', file(0o1666, ME), 'other users can write to it (mode 1666)'],
  ])('%s', (_name, st, why) => {
    expect(otherUserMayWrite(st, ME)).toBe(why);
  });

  test('no uids (Windows): nothing to compare', () => {
    expect(otherUserMayWrite(dir(0o777, 1001), null)).toBeUndefined();
  });
});
