// Where devices and ARNs may be used. Update DEVICE_REGIONS when the reference page's note changes:
// "Currently ml_trn1 is available only in US East (N. Virginia) Region, and ml_inf2 is available
// only in US East (Ohio) Region."

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
