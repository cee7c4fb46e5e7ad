// Parsing of the S3 URIs that neo.yml and SageMaker use. Pure.

export interface S3Location {
  bucket: string;
  key: string;
}

/** Splits `s3://bucket/key` or `https://bucket.s3.region.amazonaws.com/key` into bucket and key. */
export function parseS3Uri(uri: string): S3Location | undefined {
  const s3 = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (s3) return { bucket: s3[1] as string, key: s3[2] as string };
  const virtualHosted = /^https:\/\/([^/.]+)\.s3[.-]([a-z0-9-]+\.)?amazonaws\.com(?:\.cn)?\/(.*)$/.exec(uri);
  if (virtualHosted) return { bucket: virtualHosted[1] as string, key: virtualHosted[3] as string };
  const pathStyle = /^https:\/\/s3[.-]([a-z0-9-]+\.)?amazonaws\.com(?:\.cn)?\/([^/]+)\/(.*)$/.exec(uri);
  if (pathStyle) return { bucket: pathStyle[2] as string, key: pathStyle[3] as string };
  return undefined;
}
