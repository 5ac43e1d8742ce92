import { describe, expect, it } from 'vitest';
import { ApiError, describeError, fieldErrors } from './problem';

const validation = new ApiError(422, {
  type: '/problems/validation-error',
  title: 'The request is not valid',
  status: 422,
  detail: 'body.date_of_birth: Input should be a valid date',
  errors: [
    { loc: ['body', 'date_of_birth'], msg: 'Input should be a valid date' },
    { loc: ['body', 'contacts', 0, 'phone'], msg: 'Value error, not a phone number' },
    { loc: ['body', 'contacts', 1, 'name'], msg: 'Field required' },
    { loc: ['query', 'limit'], msg: 'too large' },
  ],
});

describe('problem to form fields', () => {
  it('puts each validation error on the field its loc names, in plain words', () => {
    const fields = fieldErrors(validation, ['date_of_birth', 'contacts.0.phone', 'contacts']);
    expect(fields.date_of_birth).toBe('Input should be a valid date');
    expect(fields['contacts.0.phone']).toBe('Not a phone number');
    // No field for contacts.1.name: the nearest enclosing field takes it.
    expect(fields.contacts).toBe('Field required');
    // A loc that names no field of the form is kept for a message above it.
    expect(fields['']).toBe('Too large');
  });

  it('gives nothing for errors that are not validation problems', () => {
    expect(fieldErrors(new Error('boom'), ['a'])).toEqual({});
    expect(fieldErrors(new ApiError(409, { type: 'x', title: 'Full', status: 409 }), ['a'])).toEqual({});
  });

  it('describes a problem by its title and detail, and a network failure in words', () => {
    expect(describeError(validation).title).toBe('The request is not valid');
    expect(describeError(new TypeError('Failed to fetch')).title).toBe('The server could not be reached');
    expect(describeError(new ApiError(500, null)).title).toBe('Something went wrong on the server');
  });
});
