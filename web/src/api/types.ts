/** Shapes of the API's answers (see /docs); dates are ISO strings as the API sends them. */

export interface Page<T> {
  count: number
  items: T[]
}

export interface AuthorRef {
  id: number
  name: string
}

export interface Book {
  id: number
  title: string
  author: string
  authors: AuthorRef[]
  published_on: string
  rating: number | null
  rating_count: number
  created_at: string
  updated_at: string
}

export interface BookDetail extends Book {
  my_rating: number | null
}

export interface BookInput {
  title: string
  published_on: string
  author_ids: number[]
}

export interface Author {
  id: number
  name: string
  bio: string
  books_count: number
  created_at: string
  updated_at: string
}

export interface TopBook {
  id: number
  title: string
  published_on: string
  rating: number | null
  rating_count: number
}

export interface AuthorDetail extends Author {
  top_books: TopBook[]
}

export interface AuthorInput {
  name: string
  bio: string
}

export interface Rating {
  score: number
  rating: number | null
  rating_count: number
}

export interface Tokens {
  access: string
  refresh: string
}

export interface User {
  id: number
  username: string
  date_joined: string
}

export const BOOK_ORDERINGS = ['title', '-title', 'published_on', '-published_on', 'rating', '-rating'] as const
export type BookOrdering = (typeof BOOK_ORDERINGS)[number]

export interface BookQuery {
  limit: number
  offset: number
  search?: string
  author?: number
  published_after?: string
  published_before?: string
  ordering?: BookOrdering
}

export interface Me extends User {
  is_staff: boolean
}

// Deals (brief 003)

export interface TopCustomer {
  username: string
  spent_money: number
  gems: string[]
}

export interface TopCustomers {
  response: TopCustomer[]
}

export interface DealsUploaded {
  Status: 'OK'
}

// Waste

export const WASTE_TYPES = ['bio', 'glass', 'plastic'] as const
export type WasteType = (typeof WASTE_TYPES)[number]
export type PerType<T> = Partial<Record<WasteType, T>>

export interface SiteRef {
  id: number | null
  name: string
}

export interface Organization {
  id: number
  name: string
  waste: PerType<{ stock: number; limit: number }>
}

export interface Room {
  capacity: number
  stored: number
  free: number
}

export interface Storage {
  id: number
  name: string
  capacity: PerType<number>
  room: PerType<Room>
}

export interface Route {
  id: number
  from_organization: SiteRef | null
  from_storage: SiteRef | null
  to_storage: SiteRef
  distance_m: number
  two_way: boolean
}

export interface Transfer {
  id: number
  organization: SiteRef
  storage: SiteRef
  type: WasteType
  amount: number
  distance_m: number
  created_at: string
}

export interface Disposal {
  transfers: Transfer[]
  left: PerType<number>
}

export interface ReachableStorage {
  storage: SiteRef
  distance_m: number | null
  path: string[] | null
  path_ids: number[] | null
  room: PerType<Room>
}

export interface Member {
  username: string
  added_at: string
}

export interface StorageWritten extends Storage {
  transfers: Transfer[]
}

export interface RouteWritten extends Route {
  transfers: Transfer[]
}

export interface StorageEmptied {
  storage: Storage
  transfers: Transfer[]
}

export interface OrganizationInput {
  name?: string
  waste?: PerType<{ limit: number }>
}

export interface StorageInput {
  name?: string
  capacity?: PerType<number>
}

export interface RouteInput {
  from_organization?: number | null
  from_storage?: number | null
  to_storage: number
  distance_m: number
  two_way: boolean
}

// Pets (brief 002)

export interface Photo {
  id: string
  url: string
}

export interface Pet {
  id: string
  name: string
  age: number
  type: 'dog' | 'cat'
  photos: Photo[]
  created_at: string
}

export interface PetInput {
  name: string
  age: number
  type: 'dog' | 'cat'
}

export interface PetsDeleted {
  deleted: number
  errors: { id: string; error: string }[]
}
