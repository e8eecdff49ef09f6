import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsString,
  isFQDN,
  isIP,
  IsUrl,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
} from 'class-validator';
import { NODE_DEFAULTS, NODE_LIMITS, NODE_STATUSES } from '@fleet/contract';
import { INT4_MAX } from '../../../common/http/strict-input';

/**
 * Field rules shared by the create and update bodies. `required` fields must be present on create;
 * on update every field may be omitted, only the nullable ones may be null (meaning "clear it").
 */
export type Presence = 'required' | 'optional' | 'nullable';

function presence(mode: Presence, doc: Record<string, unknown>) {
  if (mode === 'required') return [ApiProperty(doc)];
  const nullable = mode === 'nullable';
  return [
    ApiPropertyOptional({ ...doc, nullable }),
    ValidateIf((_, value) => value !== undefined && !(nullable && value === null)),
  ];
}

const trim = Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

export const NameField = (mode: Presence) =>
  applyDecorators(
    ...presence(mode, { example: 'de-fra-1', maxLength: NODE_LIMITS.nameMaxLength }),
    trim,
    IsString(),
    Length(1, NODE_LIMITS.nameMaxLength),
  );

export const DescriptionField = (mode: Presence) =>
  applyDecorators(...presence(mode, { type: String, maxLength: 1000 }), IsString(), MaxLength(1000));

export const LocationField = (mode: Presence) =>
  applyDecorators(
    ...presence(mode, { type: String, example: 'Frankfurt, DE', maxLength: NODE_LIMITS.locationMaxLength }),
    trim,
    IsString(),
    MaxLength(NODE_LIMITS.locationMaxLength),
  );

export const GroupIdField = (mode: Presence) =>
  applyDecorators(
    ...presence(mode, { description: 'the node’s group; a new node without one goes to the first group', minimum: 1 }),
    IsInt(),
    Min(1),
    Max(INT4_MAX),
  );

export const PanelUrlField = (mode: Presence) =>
  applyDecorators(
    ...presence(mode, {
      example: 'https://panel.example.com:2053/secretpath/',
      description: 'panel origin with its web base path, if any',
    }),
    IsString(),
    MaxLength(2048),
    IsUrl(
      { protocols: ['http', 'https'], require_protocol: true, require_tld: false, require_host: true },
      { message: 'panelUrl must be an http(s) URL such as https://host:2053/basepath/' },
    ),
    ValidateBy({
      name: 'hasNoUserinfo',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && !/^[a-z]+:\/\/[^/?#]*@/i.test(value),
        defaultMessage: () => 'panelUrl must not carry credentials (user:pass@); use panelUsername and panelPassword',
      },
    }),
  );

export const PanelUsernameField = (mode: Presence) =>
  applyDecorators(...presence(mode, { example: 'admin' }), IsString(), Length(1, 255));

export const SecretField = (mode: Presence, description: string) =>
  applyDecorators(
    ...presence(mode, {
      type: String,
      description: `${description} (write-only, stored encrypted)`,
      format: 'password',
    }),
    IsString(),
    Length(1, 1024),
  );

export const InboundIdField = (mode: Presence) =>
  applyDecorators(
    ...presence(mode, {
      type: Number,
      description: 'id of the panel inbound users are added to',
      minimum: 1,
      maximum: INT4_MAX,
    }),
    IsInt(),
    Min(1),
    Max(INT4_MAX),
  );

export const PublicHostField = (mode: Presence) =>
  applyDecorators(
    ...presence(mode, {
      type: String,
      example: 'vpn1.example.com',
      description: 'host name or IP put into share links',
    }),
    IsString(),
    MaxLength(255),
    ValidateBy({
      name: 'isHostOrIp',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && (isIP(value) || isFQDN(value, { require_tld: false })),
        defaultMessage: () => 'publicHost must be a host name or an IP address',
      },
    }),
  );

export const TlsVerifyField = (mode: Presence) =>
  applyDecorators(...presence(mode, { default: NODE_DEFAULTS.tlsVerify }), IsBoolean());

export const MaxUsersField = (mode: Presence) =>
  applyDecorators(
    ...presence(mode, { default: NODE_DEFAULTS.maxUsers, minimum: 1, maximum: NODE_LIMITS.maxUsersMax }),
    IsInt(),
    Min(1),
    Max(NODE_LIMITS.maxUsersMax),
  );

export const PriorityField = (mode: Presence) =>
  applyDecorators(
    ...presence(mode, {
      default: NODE_DEFAULTS.priority,
      minimum: 0,
      maximum: NODE_LIMITS.priorityMax,
      description: 'higher is preferred; 0 marks a standby node',
    }),
    IsInt(),
    Min(0),
    Max(NODE_LIMITS.priorityMax),
  );

export const WeightField = (mode: Presence) =>
  applyDecorators(
    ...presence(mode, {
      default: NODE_DEFAULTS.weight,
      minimum: 0,
      exclusiveMinimum: true,
      maximum: NODE_LIMITS.weightMax,
    }),
    IsNumber({ allowNaN: false, allowInfinity: false }),
    ValidateBy({
      name: 'isPositiveWeight',
      validator: {
        validate: (value: unknown) => typeof value === 'number' && value > 0 && value <= NODE_LIMITS.weightMax,
        defaultMessage: () => `weight must be greater than 0 and at most ${NODE_LIMITS.weightMax}`,
      },
    }),
  );

export const UsageMultiplierField = (mode: Presence) =>
  applyDecorators(
    ...presence(mode, {
      default: NODE_DEFAULTS.usageMultiplier,
      minimum: NODE_LIMITS.usageMultiplierMin,
      maximum: NODE_LIMITS.usageMultiplierMax,
      description: 'traffic through this node counts × this against quotas (up to 3 decimals)',
    }),
    IsNumber({ allowNaN: false, allowInfinity: false }),
    ValidateBy({
      name: 'isUsageMultiplier',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'number' &&
          value >= NODE_LIMITS.usageMultiplierMin &&
          value <= NODE_LIMITS.usageMultiplierMax &&
          Math.round(value * 1000) / 1000 === value,
        defaultMessage: () =>
          `usageMultiplier must be from ${NODE_LIMITS.usageMultiplierMin} to ${NODE_LIMITS.usageMultiplierMax}, with at most 3 decimals`,
      },
    }),
  );

export const StatusField = (mode: Presence) =>
  applyDecorators(...presence(mode, { enum: NODE_STATUSES, default: NODE_DEFAULTS.status }), IsIn(NODE_STATUSES));
