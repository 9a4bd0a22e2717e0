// Package finerworkstest is a stateful fake of the FinerWorks API v3 image
// library, for tests, examples and benchmarks of code that uses package
// finerworks (or any FinerWorks client). It speaks the wire protocol of the
// vendor's help pages (https://api.finerworks.com/Help):
//
//	POST   /v3/list_images          {library, search_filter, guid_filter, page_number, per_page, sort_field, sort_direction, upload_date_from, upload_date_to, list_products, active}
//	POST   /v3/add_images           {images: [add_image_details, at most 5], library}
//	PUT    /v3/update_images        {images: [{guid, title, description}], account_key}
//	DELETE /v3/delete_images        {guids, library}
//	GET    /v3/test_my_credentials
//
// Documented behaviour it reproduces: the web_api_key and app_key headers
// checked on every call; the status envelope {"status": {"success",
// "status_code", "message", "debug"}} on every answer; the image_library
// object (name inventory or temporary; session_id of 8 to 50 characters and
// site_id required); image_details objects; per_page up to 50 (10 by
// default, more is cut to 50), page_number from 1, the five sort fields
// and two directions, sorting by id descending by default; the search,
// GUID, upload date and active filters; at most 5 images per add_images
// call; a JSON body on DELETE. The two libraries hold separate images; an
// image of the temporary library gets a date_expires. Numbers are answered
// as JSON numbers and dates as ASP.NET writes a DateTimeOffset.
//
// Where the docs are silent the fake picks a reading, and every reading a
// client could meet is an Option:
//
//   - Bad or missing keys: 400 {"Message": "The request is invalid.",
//     "ModelState": {"ApiC.Models.authorization_credentials": ["Missing or
//     unauthorized api credentials"]}} (a client reports this body from the
//     live API); WithAuthFailure(AuthHTML) answers a text/html 400
//     instead, as another client expects.
//   - list_images' count is the total of matching images (CountTotal);
//     WithCount(CountPage) makes it the page's size.
//   - add_images answers with the status only (AddAnswerStatus);
//     WithAddAnswer(AddAnswerImages) adds the created images.
//   - A logical failure (a bad library name, too many images, an unknown
//     GUID, a bad sort) is HTTP 200 with success false, the error code in
//     status_code and a debug member echoing the request (method, path,
//     headers with the keys, body), as the real debug may;
//     WithErrorStatusInHTTP sends the code as the HTTP status too.
//   - update_images and delete_images refuse a call naming a GUID the
//     library lacks, with status_code 404 (UnknownGUIDFails);
//     WithUnknownGUID(UnknownGUIDIgnored) skips it. update_images finds
//     GUIDs in either library.
//   - update_images and delete_images take any number of images;
//     WithMaxUpdateImages and WithMaxDeleteImages set a limit.
//   - update_images keeps a title or description left out;
//     WithUpdateClearingOmitted clears it.
//   - The order when a request names none: WithDefaultSort.
//   - WithNumbersAsStrings sends every number as a string.
//   - file_name is sanitized (characters other than letters, digits, ".",
//     "_" and "-" become "_"); the URIs are kept as sent.
//   - A body that is not JSON, or a missing required member, is ASP.NET's
//     400 ModelState answer; a wrong method is a 405 and an unknown path a
//     404, each {"Message": ...}.
//
// The fake runs on shopimgtest/fakestore: it records every request (with
// the keys redacted), takes scripted faults (a status, a dropped
// connection, latency, AfterApply), can enforce a request quota (WithQuota:
// 429 with Retry-After; off by default, the vendor documents none) and
// uses an injectable clock (WithClock) for dates, latency and the quota,
// which the clients from Server.NewClient share.
package finerworkstest
