import {createHash} from 'node:crypto';
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {gzipSync} from 'node:zlib';

// A one-layer OCI image layout built by hand, so skopeo can push a real image with no daemon, no buildah
// and no network: `skopeo copy oci:DIR:TAG docker://HOST/NAME:TAG`.

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface OciImage {
  /** The layout directory, for `oci:DIR:TAG`. */
  dir: string;
  tag: string;
  /** `sha256:...` of the manifest: what a registry answers as the image's digest. */
  manifestDigest: string;
  manifest: Record<string, unknown>;
}

function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A ustar header field: the value, NUL-padded to its width. */
function field(header: Buffer, offset: number, width: number, value: string): void {
  header.write(value, offset, width, 'ascii');
}

/** One regular file in ustar format: header, data, padding to 512 bytes. */
function tarEntry(name: string, data: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const octal = (n: number, width: number) => n.toString(8).padStart(width - 1, '0');
  field(header, 0, 100, name);
  field(header, 100, 8, octal(0o644, 8));
  field(header, 108, 8, octal(0, 8));
  field(header, 116, 8, octal(0, 8));
  field(header, 124, 12, octal(data.length, 12));
  field(header, 136, 12, octal(0, 12));
  field(header, 148, 8, ' '.repeat(8)); // the checksum counts its own field as spaces
  field(header, 156, 1, '0');
  field(header, 257, 6, 'ustar\0');
  field(header, 263, 2, '00');
  let sum = 0;
  for (const byte of header) sum += byte;
  field(header, 148, 8, `${octal(sum, 7)}\0`);
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, padding]);
}

/** A tar archive of regular files, ended by the two zero blocks. */
export function tarFiles(files: Record<string, string | Buffer>): Buffer {
  const entries = Object.entries(files).map(([name, data]) => tarEntry(name, Buffer.isBuffer(data) ? data : Buffer.from(data)));
  return Buffer.concat([...entries, Buffer.alloc(1024)]);
}

/** Writes an OCI image layout with one layer holding `files` into `dir` (created), tagged `tag`. */
export function writeOciImage(dir: string, tag: string, files: Record<string, string | Buffer>): OciImage {
  const blobs = path.join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, {recursive: true});
  const putBlob = (data: Buffer | string) => {
    const digest = sha256(data);
    writeFileSync(path.join(blobs, digest.slice('sha256:'.length)), data);
    return {digest, size: Buffer.byteLength(data)};
  };

  const tar = tarFiles(files);
  const layer = putBlob(gzipSync(tar));
  const config = putBlob(JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: {type: 'layers', diff_ids: [sha256(tar)]},
  }));
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: {mediaType: OCI_CONFIG, ...config},
    layers: [{mediaType: OCI_LAYER, ...layer}],
  };
  const manifestBlob = putBlob(JSON.stringify(manifest));
  writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({imageLayoutVersion: '1.0.0'}));
  writeFileSync(path.join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{mediaType: OCI_MANIFEST, ...manifestBlob, annotations: {'org.opencontainers.image.ref.name': tag}}],
  }));
  return {dir, tag, manifestDigest: manifestBlob.digest, manifest};
}
