import type { Organization, Route, Storage } from '@/api/types'

export { WASTE_TYPES, type PerType, type Room, type Route, type WasteType } from '@/api/types'

/** Every site and route of the network, as the public list endpoints give them. */
export interface Network {
  organizations: Organization[]
  storages: Storage[]
  routes: Route[]
}
