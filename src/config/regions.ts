// Where devices and ARNs may be used, and which regions exist (the installed SDK's partition data). Update DEVICE_REGIONS when the reference page's note changes:
// "Currently ml_trn1 is available only in US East (N. Virginia) Region, and ml_inf2 is available
// only in US East (Ohio) Region."

import { distance } from 'fastest-levenshtein';
import { AWS_REGIONS } from './aws-regions.generated.ts';

const PARTITION_OF = new Map(
  Object.entries(AWS_REGIONS).flatMap(([partition, regions]) => regions.map((region) => [region, partition])),
);
const ALL_REGIONS = [...PARTITION_OF.keys()];

/** True when the SDK knows the region (a well-formed name such as us-west-3 may still not exist). */
export function isKnownRegion(region: string): boolean {
  return PARTITION_OF.has(region);
}

/** The known regions nearest to an unknown one (us-west-3 -> us-west-1, us-west-2), at most 3 edits away. */
export function nearestRegions(region: string): string[] {
  const scored = ALL_REGIONS.map((known) => ({ known, edits: distance(region, known) }));
  const best = Math.min(...scored.map((item) => item.edits));
  if (best > 3) return [];
  return scored.filter((item) => item.edits === best).map((item) => item.known);
}

/** Devices that only some regions offer; a device not listed is available wherever Neo is. */
export const DEVICE_REGIONS: Readonly<Record<string, readonly string[]>> = {
  ml_trn1: ['us-east-1'],
  ml_inf2: ['us-east-2'],
};

/** The regions a device may be compiled for, or undefined when it is not restricted. */
export function regionsForDevice(device: string): readonly string[] | undefined {
  return Object.hasOwn(DEVICE_REGIONS, device) ? DEVICE_REGIONS[device] : undefined;
}

/** The ARN partition a region belongs to (aws, aws-cn, aws-us-gov, aws-iso...). */
export function partitionOf(region: string): string {
  const known = PARTITION_OF.get(region);
  if (known !== undefined) return known;
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

/** Partition and region fields of an ARN (arn:partition:service:region:account:resource). */
export function arnParts(arn: string): { partition: string; region: string } | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return { partition: parts[1] ?? '', region: parts[3] ?? '' };
}
