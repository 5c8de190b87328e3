// Package cloudapitest is the WhatsApp Business Cloud API as tests see it:
// it checks a request against the API's text message format and answers as
// the API does, for the fake gateways that tests run on loopback.
package cloudapitest
