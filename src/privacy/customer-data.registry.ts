import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { CUSTOMER_DATA, type CustomerDataOwner } from '../common/customer-data';

/** Every module's CustomerDataOwner, in erasure order (src/common/customer-data.ts). */
@Injectable()
export class CustomerDataRegistry implements OnApplicationBootstrap {
  private list: CustomerDataOwner[] = [];

  constructor(private readonly modules: ModuleRef) {}

  onApplicationBootstrap(): void {
    this.list = this.modules
      .get<CustomerDataOwner>(CUSTOMER_DATA, { strict: false, each: true })
      .slice()
      .sort((a, b) => a.erasureOrder - b.erasureOrder);
  }

  get owners(): readonly CustomerDataOwner[] {
    return this.list;
  }
}
