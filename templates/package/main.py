"""Cloud Run functions entry point (`--entry-point predict`), written by
`advisor package`: the HTTP request handed to handler.answer, which Lambda's
handler uses too."""

import functions_framework

import handler


@functions_framework.http
def predict(request):
    headers = {k.lower(): v for k, v in request.headers.items()}
    status, out_headers, body = handler.answer(request.method, request.path, request.get_data(), headers)
    return body, status, out_headers
