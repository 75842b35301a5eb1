import { describe, expect, it } from 'vitest'

import { ApiError } from '@/api/client'
import { dealsProblem, describeError, formatBytes, lineInWords } from '@/api/errors'
import { wholeNumber } from '@/format'
import { amountsFrom, FormProblem } from '@/waste/forms'

const STAFF_ONLY = { detail: 'Only staff may change the waste network.', code: 'staff_only' }
const NOT_A_MEMBER = {
  detail: "Only staff and members of organization 'ОО1' (1) may generate or dispose its waste.",
  code: 'not_a_member',
  organization: { id: 1, name: 'ОО1' },
}

describe('error answers in words', () => {
  it.each([
    [403, STAFF_ONLY, 'Not allowed: Only staff may change the waste network.'],
    [403, NOT_A_MEMBER, "Not allowed: Only staff and members of organization 'ОО1' (1) may generate or dispose its waste."],
    [403, {}, 'Not allowed: your account may not do this.'],
    [401, { detail: 'Missing X-API-KEY header.', code: 'api_key_missing' }, 'Enter the API key first: the pets API needs it.'],
    [401, { detail: 'Invalid X-API-KEY header.', code: 'api_key_invalid' }, 'The API key is wrong: the server refused it.'],
    [401, { detail: 'Authentication credentials were not provided.' }, 'Log in first: this needs an account.'],
    [
      413,
      { detail: 'The file is 12582912 bytes; the limit is 10485760 bytes.', code: 'photo_too_large', max_bytes: 10485760 },
      'The file is too large: the limit is 10 MiB.',
    ],
    [409, { detail: "'demo' is already a member of organization 1.", code: 'member_exists' }, "'demo' is already a member of organization 1."],
    [400, { name: ['This field may not be blank.'], non_field_errors: ['Give one.'] }, 'name: This field may not be blank. Give one.'],
    [429, { detail: 'Request was throttled.' }, 'Too many requests: wait a moment and try again.'],
    [502, null, 'The server failed (502). Try again in a moment.'],
  ])('a %i answer %j reads %j', (status, body, words) => {
    expect(describeError(new ApiError(status, body, 'fallback'))).toBe(words)
  })

  it('keeps the message of an unreachable server and of errors of the page itself', () => {
    expect(describeError(new ApiError(0, null, 'The server cannot be reached.'))).toBe('The server cannot be reached.')
    expect(describeError(new FormProblem('The glass amount must be a whole number.'))).toBe(
      'The glass amount must be a whole number.',
    )
    expect(describeError('a string', 'Fallback.')).toBe('Fallback.')
  })

  it.each([
    ['line 17: quantity must be a positive integer, got "x"', 17, 'quantity must be a positive integer, got "x"'],
    ['line 1: the header must be customer,item,total,quantity,date (any order): missing date', 1, 'the header must be customer,item,total,quantity,date (any order): missing date'],
    ['the "deals" file field is required (multipart/form-data)', null, 'the "deals" file field is required (multipart/form-data)'],
  ])('reads the line out of the deals Desc %j', (desc, line, problem) => {
    expect(dealsProblem(new ApiError(400, { Status: 'Error', Desc: desc }, 'x'))).toEqual({ desc, line, problem })
  })

  it('says the line in words, and what a deals failure without a Desc was', () => {
    expect(lineInWords(2)).toBe('The problem is on line 2 of the file.')
    expect(lineInWords(1)).toBe('The problem is on line 1 of the file, the header.')
    expect(dealsProblem(new ApiError(0, null, 'The server cannot be reached.')).desc).toBe('The server cannot be reached.')
  })

  it.each([
    [12, '12 bytes'],
    [1536, '1.5 KiB'],
    [10 * 1024 * 1024, '10 MiB'],
    [200 * 1024 * 1024, '200 MiB'],
  ])('writes %i bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text)
  })

  it('reads per-type amounts, leaving empty ones out and refusing what is not a whole number', () => {
    expect(amountsFrom({ plastic: '10', glass: '', bio: ' 0 ' })).toEqual({ plastic: 10, bio: 0 })
    expect(() => amountsFrom({ glass: '1.5' })).toThrow('The glass amount must be a whole number of 0 or more.')
    expect(() => amountsFrom({ bio: '-3' }, 'limit')).toThrow('The bio limit must be a whole number of 0 or more.')
  })

  it.each([
    [40, 40],
    [' 7 ', 7],
    ['', null],
    [null, null],
    [1.5, null],
    ['-1', null],
  ])('reads %j from a number input as %j', (value, number) => {
    expect(wholeNumber(value)).toBe(number)
  })
})
