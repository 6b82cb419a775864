from ninja import NinjaAPI

api = NinjaAPI(title="visavis", version="1", urls_namespace="api")
