/** The API operations the client uses, one function each (paths and bodies as in /docs). */
import { api, request } from './client'
import type {
  Author,
  AuthorDetail,
  AuthorInput,
  Book,
  BookDetail,
  BookInput,
  BookQuery,
  Disposal,
  DealsUploaded,
  Me,
  Member,
  Organization,
  OrganizationInput,
  Page,
  Pet,
  PetInput,
  PetsDeleted,
  Photo,
  Rating,
  ReachableStorage,
  Route,
  RouteInput,
  RouteWritten,
  Storage,
  StorageEmptied,
  StorageInput,
  StorageWritten,
  Tokens,
  TopCustomers,
  User,
  PerType,
  WasteType,
} from './types'
import { uploadFile, type UploadProgress } from './upload'

export const authApi = {
  login: (username: string, password: string) => api.post<Tokens>('/auth/token', { username, password }, { auth: false }),
  register: (username: string, password: string) =>
    api.post<User>('/auth/register', { username, password }, { auth: false }),
  refresh: (refresh: string) => api.post<Tokens>('/auth/token/refresh', { refresh }, { auth: false }),
  logout: (refresh: string) => api.post<null>('/auth/logout', { refresh }),
  me: () => api.get<Me>('/auth/me'),
}

export const booksApi = {
  list: (query: BookQuery, signal?: AbortSignal) => api.get<Page<Book>>('/books', { query: { ...query }, signal }),
  get: (id: number) => api.get<BookDetail>(`/books/${id}`),
  create: (input: BookInput) => api.post<BookDetail>('/books', input),
  update: (id: number, input: BookInput) => api.put<BookDetail>(`/books/${id}`, input),
  remove: (id: number) => api.delete(`/books/${id}`),
  rate: (id: number, score: number) => api.put<Rating>(`/books/${id}/rating`, { score }),
  withdrawRating: (id: number) => api.delete(`/books/${id}/rating`),
}

export interface AuthorQuery {
  limit: number
  offset: number
  search?: string
}

export const authorsApi = {
  list: (query: AuthorQuery, signal?: AbortSignal) =>
    api.get<Page<Author>>('/authors', { query: { ...query }, signal }),
  get: (id: number) => api.get<AuthorDetail>(`/authors/${id}`),
  create: (input: AuthorInput) => api.post<Author>('/authors', input),
  update: (id: number, input: AuthorInput) => api.put<Author>(`/authors/${id}`, input),
  remove: (id: number) => api.delete(`/authors/${id}`),
}

export const dealsApi = {
  /** Public: the answer does not depend on who asks, so no token is sent (a stale one cannot cause a 401). */
  top: (signal?: AbortSignal) => api.get<TopCustomers>('/deals', { auth: false, signal }),
  upload: (file: File, onProgress: (progress: UploadProgress) => void, signal?: AbortSignal) =>
    uploadFile<DealsUploaded>({ url: '/deals', field: 'deals', file, onProgress, signal }),
}

export interface PageQuery {
  limit: number
  offset: number
}

export const wasteApi = {
  organizations: (query: PageQuery, signal?: AbortSignal) =>
    api.get<Page<Organization>>('/waste/organizations', { query: { ...query }, auth: false, signal }),
  storages: (query: PageQuery, signal?: AbortSignal) =>
    api.get<Page<Storage>>('/waste/storages', { query: { ...query }, auth: false, signal }),
  routes: (query: PageQuery, signal?: AbortSignal) =>
    api.get<Page<Route>>('/waste/routes', { query: { ...query }, auth: false, signal }),
  organization: (id: number) => api.get<Organization>(`/waste/organizations/${id}`, { auth: false }),
  storage: (id: number) => api.get<Storage>(`/waste/storages/${id}`, { auth: false }),
  reachable: (id: number, query: PageQuery, signal?: AbortSignal) =>
    api.get<Page<ReachableStorage>>(`/waste/organizations/${id}/storages`, { query: { ...query }, auth: false, signal }),
  generate: (id: number, amounts: PerType<number>) => api.post<Disposal>(`/waste/organizations/${id}/generate`, amounts),
  dispose: (id: number) => api.post<Disposal>(`/waste/organizations/${id}/dispose`),
  createOrganization: (input: OrganizationInput) => api.post<Organization>('/waste/organizations', input),
  updateOrganization: (id: number, input: OrganizationInput) =>
    api.patch<Organization>(`/waste/organizations/${id}`, input),
  createStorage: (input: StorageInput) => api.post<StorageWritten>('/waste/storages', input),
  updateStorage: (id: number, input: StorageInput) => api.patch<StorageWritten>(`/waste/storages/${id}`, input),
  emptyStorage: (id: number, types?: WasteType[]) =>
    api.post<StorageEmptied>(`/waste/storages/${id}/empty`, types ? { types } : {}),
  createRoute: (input: RouteInput) => api.post<RouteWritten>('/waste/routes', input),
  updateRoute: (id: number, input: { distance_m?: number; two_way?: boolean }) =>
    api.patch<RouteWritten>(`/waste/routes/${id}`, input),
  deleteRoute: (id: number) => api.delete(`/waste/routes/${id}`),
  members: (id: number) => api.get<Page<Member>>(`/waste/organizations/${id}/members`, { query: { limit: 100 } }),
  addMember: (id: number, username: string) =>
    api.post<Member>(`/waste/organizations/${id}/members`, { username }),
  removeMember: (id: number, username: string) =>
    api.delete(`/waste/organizations/${id}/members/${encodeURIComponent(username)}`),
}

export interface PetQuery extends PageQuery {
  has_photos?: 'true' | 'false'
}

/** The pets API authenticates with `X-API-KEY` only, never the session's JWT. */
const keyed = (key: string) => ({ auth: false, headers: { 'X-API-KEY': key } })

export const petsApi = {
  list: (key: string, query: PetQuery, signal?: AbortSignal) =>
    api.get<Page<Pet>>('/pets', { ...keyed(key), query: { ...query }, signal }),
  create: (key: string, input: PetInput) => api.post<Pet>('/pets', input, keyed(key)),
  remove: (key: string, ids: string[]) => request<PetsDeleted>('DELETE', '/pets', { ...keyed(key), body: { ids } }),
  uploadPhoto: (key: string, petId: string, file: File, onProgress: (progress: UploadProgress) => void) =>
    uploadFile<Photo>({
      url: `/pets/${encodeURIComponent(petId)}/photo`,
      field: 'file',
      file,
      onProgress,
      ...keyed(key),
    }),
}
