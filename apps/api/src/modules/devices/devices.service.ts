import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DEVICES_KEPT_PER_USER, DeviceView, ErrorCode, EventType } from '@fleet/contract';
import { LockKey, lockForTransaction } from '../../common/database/advisory-lock';
import { DomainError } from '../../common/errors/domain-error';
import { EventsService } from '../events/events.service';
import { DeviceReport, DevicesRepository } from './devices.repository';

export type { DeviceReport };

/** Whose device it is, and how many devices their plan allows (0: any number). */
export interface DeviceOwner {
  userId: number;
  telegramId: number | null;
  deviceLimit: number;
}

/**
 * The devices a user's apps fetch the subscription from (`x-hwid`): recorded at each fetch; with a device limit, a
 * device beyond it is not admitted (known devices keep working). The panel's `limitIp` stays the connection guard.
 */
@Injectable()
export class DevicesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly devices: DevicesRepository,
    private readonly events: EventsService,
  ) {}

  /** Records the fetch's device; answers whether it may have the links (false: a new device past the limit). */
  async admit(owner: DeviceOwner, report: DeviceReport): Promise<boolean> {
    const known = await this.devices.find(owner.userId, report.hwid);
    if (known) {
      if (known.stale) await this.devices.touch(known.id, report);
      return true;
    }
    return this.dataSource.transaction(async (manager) => {
      // New devices of one user one at a time, so two at once cannot both take the last place.
      await lockForTransaction(manager, LockKey.UserDevices, owner.userId);
      const count = await this.devices.count(owner.userId, manager);
      if (owner.deviceLimit > 0 && count >= owner.deviceLimit)
        return (await this.devices.find(owner.userId, report.hwid)) !== null;
      const { device, added } = await this.devices.add(owner.userId, report, manager);
      if (!added) return true;
      if (count + 1 > DEVICES_KEPT_PER_USER)
        await this.devices.keepNewest(owner.userId, DEVICES_KEPT_PER_USER, manager);
      await this.events.recordMany(
        [
          {
            type: EventType.UserDeviceAdded,
            actor: 'subscription',
            userId: owner.userId,
            payload: {
              telegramId: owner.telegramId,
              deviceId: device.id,
              hwid: device.hwid,
              os: device.os,
              model: device.model,
              devices: Math.min(count + 1, DEVICES_KEPT_PER_USER),
              deviceLimit: owner.deviceLimit,
            },
          },
        ],
        manager,
      );
      return true;
    });
  }

  list(userId: number): Promise<DeviceView[]> {
    return this.devices.list(userId);
  }

  /** Forgets a device: the next fetch from it counts as a new device. */
  async remove(userId: number, deviceId: number): Promise<void> {
    if (!(await this.devices.remove(userId, deviceId))) {
      throw new DomainError(ErrorCode.DeviceNotFound, `user ${userId} has no device ${deviceId}`);
    }
  }
}
