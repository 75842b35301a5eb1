from rest_framework import serializers


class DealsUploadInputSerializer(serializers.Serializer):
    """The upload form: one file field, `deals`."""

    deals = serializers.FileField(help_text="deals.csv: header customer,item,total,quantity,date; UTF-8")


class DealsUploadOutputSerializer(serializers.Serializer):
    Status = serializers.CharField()


class DealsUploadErrorOutputSerializer(serializers.Serializer):
    Status = serializers.CharField()
    Desc = serializers.CharField()


class TopCustomerOutputSerializer(serializers.Serializer):
    username = serializers.CharField()
    spent_money = serializers.FloatField(help_text="an integer when the sum is whole")
    gems = serializers.ListField(child=serializers.CharField())


class TopCustomersOutputSerializer(serializers.Serializer):
    response = TopCustomerOutputSerializer(many=True)
