import type { Organization, Route, Storage } from '@/api/types'

export { WASTE_TYPES, type PerType, type Room, type Route, type WasteType } from '@/api/types'

/** Every site and route of the network, as the public list endpoints give them. */
export interface Network {
  organizations: Organization[]
  storages: Storage[]
  routes: Route[]
}

/** The graph ids of a route's ends: "o<id>" (an organization) or "s<id>" (a storage), then "s<id>". */
export function routeEnds(route: Route): [string, string] {
  const from = route.from_organization?.id != null ? `o${route.from_organization.id}` : `s${route.from_storage?.id ?? 0}`
  return [from, `s${route.to_storage.id ?? 0}`]
}
