/** The API operations the client uses, one function each (paths and bodies as in /docs). */
import { api } from './client'
import type {
  Author,
  AuthorDetail,
  AuthorInput,
  Book,
  BookDetail,
  BookInput,
  BookQuery,
  Page,
  Rating,
  Tokens,
  User,
} from './types'

export const authApi = {
  login: (username: string, password: string) => api.post<Tokens>('/auth/token', { username, password }, { auth: false }),
  register: (username: string, password: string) =>
    api.post<User>('/auth/register', { username, password }, { auth: false }),
  refresh: (refresh: string) => api.post<Tokens>('/auth/token/refresh', { refresh }, { auth: false }),
  logout: (refresh: string) => api.post<null>('/auth/logout', { refresh }),
  me: () => api.get<User>('/auth/me'),
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
